// Counters (FindFace's people counters): definitions in PostgreSQL, their records and statistics in ClickHouse.
import { Type, type Static } from '@sinclair/typebox';
import { STATS_GRANULARITIES } from '../../stores/clickhouse/names.ts';
import { DateTime, PageQuery, listOf } from './common.ts';
import { Ids, TimePageQuery, TimeRangeQuery } from './filters.ts';

const Roi = Type.String({ pattern: '^$|^\\d+x\\d+\\+\\d+\\+\\d+$', description: "region of interest WxH+X+Y in the camera's frame pixels: faces count when their centre is inside; '' = the whole frame" });

const CounterCamera = Type.Object(
  { camera_id: Type.Integer({ description: 'camera id' }), roi: Type.Optional(Roi) },
  { additionalProperties: false },
);

const fields = {
  name: Type.String({ minLength: 1, maxLength: 256 }),
  comment: Type.String({ maxLength: 2048 }),
  active: Type.Boolean(),
  detect_faces: Type.Boolean({ description: 'count faces (silhouettes are not counted: no body detector)' }),
  interval: Type.Number({ minimum: 1, maximum: 86400, description: 'seconds between two consecutive screenshots of each camera' }),
  cameras: Type.Array(CounterCamera, { maxItems: 1000, description: 'the cameras counted on, each with its own region of interest' }),
};

export const Counter = Type.Object({
  id: Type.Integer(),
  ...fields,
  cameras: Type.Array(Type.Object({ camera_id: Type.Integer(), roi: Type.String() })),
  created_date: DateTime(),
  modified_date: DateTime(),
});

export const CounterCreate = Type.Object(
  {
    name: fields.name,
    comment: Type.Optional(fields.comment),
    active: Type.Optional(fields.active),
    detect_faces: Type.Optional(fields.detect_faces),
    interval: Type.Optional(fields.interval),
    cameras: Type.Optional(fields.cameras),
  },
  { additionalProperties: false },
);
export type CounterCreate = Static<typeof CounterCreate>;

export const CounterPatch = Type.Partial(CounterCreate, { additionalProperties: false, minProperties: 1 });
export type CounterPatch = Static<typeof CounterPatch>;

export const CounterQuery = Type.Object({ ...PageQuery, active: Type.Optional(Type.Boolean()), camera: Type.Optional(Type.Integer({ description: 'counters counting on this camera' })) });
export type CounterQuery = Static<typeof CounterQuery>;

export const CounterList = listOf(Counter, 'counters by id');

export const CounterRecordQuery = Type.Object({
  ...TimePageQuery,
  ...TimeRangeQuery,
  id: Ids('record ids'),
  cameras: Ids('camera ids'),
  camera_groups: Ids('camera group ids'),
  faces_count_gte: Type.Optional(Type.Integer({ minimum: 0, description: 'at least this many faces' })),
  faces_count_lte: Type.Optional(Type.Integer({ minimum: 0, description: 'at most this many faces' })),
});
export type CounterRecordQuery = Static<typeof CounterRecordQuery>;

export const CounterRecordView = Type.Object({
  id: Type.String(),
  counter: Type.Integer(),
  counter_name: Type.String(),
  camera: Type.String(),
  camera_group: Type.String(),
  created_date: DateTime('time of the counted frame'),
  faces_count: Type.Integer(),
  faces_bbox: Type.Array(Type.Array(Type.Number(), { minItems: 4, maxItems: 4 }), { description: '[x1, y1, x2, y2] of each counted face, frame pixels' }),
  frame: Type.Union([Type.String(), Type.Null()], { description: 'the counted frame in the frame store; null when it was not kept' }),
  frame_width: Type.Integer(),
  frame_height: Type.Integer(),
});

export const CounterRecordList = listOf(CounterRecordView, 'counter records, newest first unless ordering=created_date');

export const CounterStatisticsQuery = Type.Object({
  interval: Type.Optional(Type.Union(STATS_GRANULARITIES.map((g) => Type.Literal(g)), { default: 'hour', description: 'bucket length' })),
  ...TimeRangeQuery,
  cameras: Ids('only these cameras'),
});
export type CounterStatisticsQuery = Static<typeof CounterStatisticsQuery>;

export const CounterStatistics = Type.Object({
  interval: Type.String(),
  results: Type.Array(
    Type.Object({
      bucket: DateTime('start of the bucket (UTC)'),
      camera: Type.String(),
      records: Type.Integer({ description: 'screenshots counted in the bucket' }),
      avg_faces: Type.Number(),
      min_faces: Type.Integer(),
      max_faces: Type.Integer(),
    }),
    { description: 'by bucket, then camera; buckets without records are absent' },
  ),
});
