// Configuration of the ClickHouse store: TypeBox schema, type derived. A section of the one configuration as
// `stores.clickhouse` (config/schema.ts); CLICKHOUSE_URL reaches it as `url` through the config loader's
// environment layer. Nested objects default to {} so their own defaults fill in.
import { Type, type Static } from '@sinclair/typebox';

const days = (def: number, description: string) =>
  Type.Integer({ default: def, minimum: 0, description: `${description}; 0 = kept for ever` });

export const ClickHouseRetentionConfig = Type.Object(
  {
    matched_events_days: days(90, 'matched face events (and their vectors) are deleted this many days after their time'),
    unmatched_events_days: days(30, 'unmatched face events are deleted this many days after their time'),
    episodes_days: days(90, 'episodes are deleted this many days after they ended'),
    stats_minute_days: days(30, 'per-minute event statistics are kept this many days'),
    stats_hour_days: days(400, 'per-hour event statistics are kept this many days'),
    stats_day_days: days(0, 'per-day event statistics are kept this many days'),
    counter_records_days: days(90, 'counter records are kept this many days'),
    camera_stats_days: days(30, 'camera statistics samples are kept this many days'),
    webhook_deliveries_days: days(30, 'webhook delivery attempts are kept this many days'),
    audit_log_days: days(0, 'audit log rows are kept this many days'),
  },
  { additionalProperties: false, default: {} },
);
export type ClickHouseRetentionConfig = Static<typeof ClickHouseRetentionConfig>;

export const AnalyticsSinkConfig = Type.Object(
  {
    max_rows: Type.Integer({ default: 1000, minimum: 1, description: 'the analytics sink writes a batch once it holds this many rows (an insert costs 11–24 ms whatever its size)' }),
    max_delay_ms: Type.Integer({ default: 1000, minimum: 1, description: 'the analytics sink writes a batch at the latest this long after its first row arrived' }),
  },
  { additionalProperties: false, default: {} },
);
export type AnalyticsSinkConfig = Static<typeof AnalyticsSinkConfig>;

export const ClickHouseConfig = Type.Object(
  {
    url: Type.String({
      default: '',
      description: 'HTTP(S) URL of a ClickHouse server (environment CLICKHOUSE_URL), e.g. http://user:pass@host:8123; empty = embedded chdb in `data_dir`',
      examples: ['http://default:secret@clickhouse:8123'],
    }),
    database: Type.String({ default: 'default', description: 'database of the tables on a server (embedded chdb always uses `default`)' }),
    data_dir: Type.String({
      default: '.facestream/data/clickhouse',
      description: 'data directory of the embedded chdb engine (relative to the working directory); one process at a time may own it (a second fails on a lock)',
    }),
    retention: ClickHouseRetentionConfig,
    sink: AnalyticsSinkConfig,
  },
  { additionalProperties: false, default: {} },
);
export type ClickHouseConfig = Static<typeof ClickHouseConfig>;
