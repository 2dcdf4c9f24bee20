// Event statistics (FindFace's /stats, by time bucket): events per minute, hour or day by camera, camera group,
// watch list or dossier.
import { Type, type Static } from '@sinclair/typebox';
import { STATS_DIMENSIONS, STATS_GRANULARITIES } from '../../stores/clickhouse/names.ts';
import { DateTime } from './common.ts';
import { Ids, TimeRangeQuery } from './filters.ts';

export const StatisticsQuery = Type.Object({
  interval: Type.Optional(Type.Union(STATS_GRANULARITIES.map((g) => Type.Literal(g)), { default: 'hour', description: 'bucket length' })),
  group_by: Type.Optional(Type.Union(STATS_DIMENSIONS.map((d) => Type.Literal(d)), { default: 'camera', description: 'what the counts are per' })),
  ...TimeRangeQuery,
  values: Ids('only these cameras, camera groups, watch lists or dossiers (by group_by)'),
});
export type StatisticsQuery = Static<typeof StatisticsQuery>;

export const StatisticsResult = Type.Object({
  interval: Type.String(),
  group_by: Type.String(),
  results: Type.Array(
    Type.Object({
      bucket: DateTime('start of the bucket (UTC)'),
      value: Type.String({ description: 'the camera, camera group, watch list or dossier' }),
      events: Type.Integer(),
      matched: Type.Integer(),
      unmatched: Type.Integer(),
      tracks: Type.Integer({ description: 'distinct tracks with events in the bucket' }),
      max_confidence: Type.Number(),
    }),
    { description: 'by bucket, then value; buckets without events are absent' },
  ),
});
