// /api/v1/statistics: event counts per minute, hour or day by camera, camera group, watch list or dossier, from the
// statistics tables the materialized views fill (stores/clickhouse/stats-query.ts); the time range selects buckets
// by their start.
import type { FastifyInstance } from 'fastify';
import { queryEventStats } from '../../stores/clickhouse/stats-query.ts';
import type { StatsDimension } from '../../stores/clickhouse/names.ts';
import type { Queryable } from '../../stores/postgres/db.ts';
import { cameraIdsInGroups } from '../../stores/postgres/repositories/cameras.ts';
import { dossierIdsOnLists } from '../../stores/postgres/repositories/dossiers.ts';
import { principalOf, visibleIds, type Principal } from '../auth/principal.ts';
import { defined, list, timeRangeOf } from '../filters/query-filters.ts';
import { errors } from '../schemas/common.ts';
import { StatisticsQuery, StatisticsResult } from '../schemas/statistics.ts';

/**
 * The values a reader may count: administrators all (undefined = no restriction); others, within those asked for,
 * the camera groups or watch lists they see (FindFace's object rights), the cameras of those groups, the dossiers on
 * those lists — by the camera's group and the dossier's lists now (the statistics tables keep no group or list per
 * camera or dossier row).
 */
async function visibleValues(db: Queryable, p: Principal, dimension: StatsDimension, asked: string[] | undefined): Promise<string[] | undefined> {
  const groups = visibleIds(p, 'camera group');
  const lists = visibleIds(p, 'watch list');
  const seenIds =
    dimension === 'camera' ? groups && (await cameraIdsInGroups(db, groups))
    : dimension === 'dossier' ? lists && (await dossierIdsOnLists(db, lists))
    : dimension === 'camera_group' ? groups
    : lists;
  if (seenIds === undefined) return asked;
  const seen = seenIds.map(String);
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
        response: { 200: StatisticsResult, ...errors() },
      },
    },
    async (req) => {
      const interval = req.query.interval ?? 'hour';
      const groupBy = req.query.group_by ?? 'camera';
      const values = await visibleValues(app.db, principalOf(req), groupBy, list(req.query.values));
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
