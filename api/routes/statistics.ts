// /api/v1/statistics: event counts per minute, hour or day by camera, camera group, watch list or dossier, from the
// statistics tables the materialized views fill (stores/clickhouse/stats-query.ts); the time range selects buckets
// by their start.
import type { FastifyInstance } from 'fastify';
import { queryEventStats } from '../../stores/clickhouse/stats-query.ts';
import type { StatsDimension } from '../../stores/clickhouse/names.ts';
import { isAdmin, principalOf, visibleIds, type Principal } from '../auth/principal.ts';
import { ApiError } from '../errors.ts';
import { defined, list, timeRangeOf } from '../filters/query-filters.ts';
import { errors } from '../schemas/common.ts';
import { StatisticsQuery, StatisticsResult } from '../schemas/statistics.ts';

/**
 * The values a reader may count: administrators all (undefined = no restriction); others the camera groups or
 * watch lists they see (FindFace's object rights), within those asked for. Per-camera and per-dossier counts
 * cannot be narrowed by those rights from the statistics tables alone, so they are for administrators.
 */
function visibleValues(p: Principal, dimension: StatsDimension, asked: string[] | undefined): string[] | undefined {
  if (dimension === 'camera' || dimension === 'dossier') {
    if (isAdmin(p)) return asked;
    throw new ApiError('FS_ERR_FORBIDDEN', `group_by=${dimension}: only administrators; others count by camera_group or watch_list`, 'group_by');
  }
  const seen = visibleIds(p, dimension === 'camera_group' ? 'camera group' : 'watch list')?.map(String);
  if (seen === undefined) return asked;
  return asked ? asked.filter((v) => seen.includes(v)) : seen;
}

export async function statisticsRoutes(app: FastifyInstance): Promise<void> {
  app.get<{ Querystring: StatisticsQuery }>(
    '',
    {
      schema: {
        tags: ['statistics'],
        summary: 'Event counts per time bucket',
        description: 'Events, matched, unmatched, distinct tracks and the best confidence per `interval` bucket and per `group_by` value; `created_date_*` select the buckets whose start lies in the range.',
        querystring: StatisticsQuery,
        response: { 200: StatisticsResult, ...errors(403) },
      },
    },
    async (req) => {
      const interval = req.query.interval ?? 'hour';
      const groupBy = req.query.group_by ?? 'camera';
      const values = visibleValues(principalOf(req), groupBy, list(req.query.values));
      const rows = await queryEventStats(app.clickhouse, defined({ granularity: interval, dimension: groupBy, ...timeRangeOf(req.query), values }));
      return {
        interval,
        group_by: groupBy,
        results: rows.map((r) => ({
          bucket: new Date(r.bucket).toISOString(),
          value: r.value,
          events: r.events,
          matched: r.matched,
          unmatched: r.unmatched,
          tracks: r.tracks,
          max_confidence: r.maxConfidence,
        })),
      };
    },
  );
}
