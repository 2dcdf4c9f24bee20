// The ClickHouse store: what the rest of facestream imports (the API, `serve`, the sink stage).
export { ClickHouseConfig, ClickHouseRetentionConfig, AnalyticsSinkConfig } from './config.ts';
export { clickHouseTarget, openClickHouse, ClickHouseStoreError, CLICKHOUSE_SETTINGS, type ClickHouseStore, type ClickHouseTarget } from './client.ts';
export { migrate, loadMigrations, MigrationError, type Migration, type MigrationResult } from './migrate.ts';
export { applyRetention, type RetentionResult } from './retention.ts';
export { TABLES, VIEWS, STATS_DIMENSIONS, STATS_GRANULARITIES, type StatsDimension, type StatsGranularity, type TableName } from './names.ts';
export { createBatcher, DEFAULT_BATCHING, type Batcher, type BatchingOptions } from './batcher.ts';
export { createAnalyticsWriter, type AnalyticsWriter, type AnalyticsWriterOptions } from './writer.ts';
export { createAnalyticsSink, type AnalyticsSink, type AnalyticsSinkOptions, type AnalyticsSinkCounts } from './sink.ts';
export {
  queryEvents,
  countEvents,
  encodeCursor,
  decodeCursor,
  EventQueryError,
  MAX_EVENTS_PAGE,
  type EventFilter,
  type EventVisibility,
  type EventQuery,
  type EventPage,
  type EventView,
  type EventOrder,
  type NumberRange,
} from './events-query.ts';
export { queryEventStats, type EventStatsQuery, type EventStatsRow } from './stats-query.ts';
export { acknowledgeEvents } from './acknowledge.ts';

import type { ClickHouseConfig } from './config.ts';
import { clickHouseTarget, openClickHouse, type ClickHouseStore } from './client.ts';
import { migrate } from './migrate.ts';
import { applyRetention } from './retention.ts';

/** Opens the store, applies pending migrations and the retention settings: what a process does at start. */
export async function startClickHouse(config: ClickHouseConfig): Promise<ClickHouseStore> {
  const store = await openClickHouse(clickHouseTarget(config));
  try {
    await migrate(store.client);
    await applyRetention(store.client, config.retention);
  } catch (err) {
    await store.close();
    throw err;
  }
  return store;
}
