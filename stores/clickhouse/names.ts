// ClickHouse tables and views, named in one place (STYLE.md §1: persisted names are explicit and stable). The
// migrations (migrations/*.sql) create exactly these; a test checks they exist after migrating.
export const TABLES = {
  faceEvents: 'face_events',
  episodes: 'episodes',
  episodeEvents: 'episode_events',
  counterRecords: 'counter_records',
  cameraStats: 'camera_stats',
  webhookDeliveries: 'webhook_deliveries',
  auditLog: 'audit_log',
  eventStatsMinute: 'event_stats_minute',
  eventStatsHour: 'event_stats_hour',
  eventStatsDay: 'event_stats_day',
  /** past events found to match a dossier face when it was added (api/retro-match/) */
  retroMatches: 'retro_matches',
  /** applied migrations (written by migrate.ts) */
  schemaMigrations: 'schema_migrations',
  /** settings applied to the schema, e.g. each table's TTL (written by retention.ts) */
  schemaSettings: 'schema_settings',
} as const;
export type TableName = (typeof TABLES)[keyof typeof TABLES];

/** materialized views: face_events → event_stats_<granularity> */
export const VIEWS = {
  eventStatsMinute: 'event_stats_minute_mv',
  eventStatsHour: 'event_stats_hour_mv',
  eventStatsDay: 'event_stats_day_mv',
} as const;

export const STATS_GRANULARITIES = ['minute', 'hour', 'day'] as const;
export type StatsGranularity = (typeof STATS_GRANULARITIES)[number];

export const STATS_TABLE: Readonly<Record<StatsGranularity, TableName>> = {
  minute: TABLES.eventStatsMinute,
  hour: TABLES.eventStatsHour,
  day: TABLES.eventStatsDay,
};

/** what the statistics are grouped by (the `dimension` column of the statistics tables) */
export const STATS_DIMENSIONS = ['camera', 'camera_group', 'watch_list', 'dossier'] as const;
export type StatsDimension = (typeof STATS_DIMENSIONS)[number];
