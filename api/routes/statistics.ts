// /api/v1/statistics: event counts per minute, hour or day by camera, camera group, watch list or dossier, from the
// statistics tables the materialized views fill (stores/clickhouse/stats-query.ts); the time range selects buckets
// by their start.
import type { FastifyInstance } from 'fastify';
import { queryEventStats } from '../../stores/clickhouse/stats-query.ts';
import { defined, list, timeRangeOf } from '../filters/query-filters.ts';
import { errors } from '../schemas/common.ts';
import { StatisticsQuery, StatisticsResult } from '../schemas/statistics.ts';

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
      const rows = await queryEventStats(app.clickhouse, defined({ granularity: interval, dimension: groupBy, ...timeRangeOf(req.query), values: list(req.query.values) }));
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
