// What a process that runs the analytics sink opens before its stages start: the ClickHouse store (chdb in
// stores.clickhouse.data_dir, or the server of CLICKHOUSE_URL; migrated, retention applied), the camera → group
// lookup from PostgreSQL when one is available, and one AnalyticsSink that both sink stages share.
//
// PostgreSQL is "available" when the caller hands over its open Db (`facestream serve` owns PGlite) or when a
// server is configured (DATABASE_URL). This module never opens the embedded PGlite itself: its data directory
// belongs to the process that serves the API, and a second opener would corrupt it. Without either, events are
// written with no camera group ('').
import type { Logger } from 'pino';
import type { FacestreamConfig } from '../../config/schema.ts';
import { createAnalyticsSink, createAnalyticsWriter, startClickHouse, type AnalyticsSink, type ClickHouseStore } from '../../stores/clickhouse/index.ts';
import type { Queryable } from '../../stores/postgres/db.ts';
import { cameraGroupLookup, type CameraGroupLookup } from './camera-groups.ts';

export interface OpenAnalyticsOptions {
  readonly config: Readonly<FacestreamConfig>;
  readonly logger: Logger;
  /** the Kafka runner commits offsets when `process` returns: write before returning (true there) */
  readonly writeThrough: boolean;
  /** an identity store this process already has open (serve); else a PostgreSQL server if configured */
  readonly db?: Queryable;
  /** where the embedded chdb lives, instead of stores.clickhouse.data_dir (`analyze --store DIR`) */
  readonly dataDir?: string;
}

export interface OpenedAnalytics {
  readonly sink: AnalyticsSink;
  readonly writeThrough: boolean;
  readonly store: ClickHouseStore;
  /** where the camera groups come from, for the start-up log */
  readonly cameraGroups: 'postgres' | 'none';
  /** writes what is still pending, then closes what this module opened; safe to call twice */
  close(): Promise<void>;
}

export async function openAnalytics(options: OpenAnalyticsOptions): Promise<OpenedAnalytics> {
  const { config, logger } = options;
  const chConfig = { ...config.stores.clickhouse, ...(options.dataDir !== undefined ? { data_dir: options.dataDir } : {}) };
  const store = await startClickHouse(chConfig);
  let lookup: CameraGroupLookup | undefined;
  let closeDb: (() => Promise<void>) | undefined;
  try {
    if (options.db) {
      lookup = await cameraGroupLookup(options.db, { logger });
    } else if (config.stores.postgres.url.trim() !== '') {
      const { openDatabase } = await import('../../stores/postgres/open.ts'); // pg and PGlite load only when needed
      const { db } = await openDatabase({ url: config.stores.postgres.url.trim(), maxConnections: 2 });
      closeDb = () => db.close();
      lookup = await cameraGroupLookup(db, { logger });
    }
  } catch (err) {
    await closeDb?.();
    await store.close();
    throw err;
  }
  const writer = createAnalyticsWriter({ client: store.client, ...(lookup ? { cameraGroupOf: lookup.resolve } : {}) });
  const sink = createAnalyticsSink({ writer, batching: { maxRows: chConfig.sink.max_rows, maxDelayMs: chConfig.sink.max_delay_ms } });
  logger.info(
    {
      clickhouse: store.target.kind === 'embedded' ? { embedded: store.target.dataDir } : { server: 'CLICKHOUSE_URL' },
      cameraGroups: lookup ? 'postgres' : 'none (no PostgreSQL server configured)',
      writeThrough: options.writeThrough,
    },
    'analytics sink open',
  );
  let closing: Promise<void> | undefined;
  return {
    sink,
    writeThrough: options.writeThrough,
    store,
    cameraGroups: lookup ? 'postgres' : 'none',
    close: () =>
      (closing ??= (async () => {
        try {
          await sink.flush();
        } catch (err) {
          // over Kafka nothing pending was committed: the input is read again after a restart
          if (!options.writeThrough) throw err;
          logger.warn({ err: (err as Error).message }, 'analytics sink: rows still pending at close were not written; their input offsets were not committed');
        } finally {
          lookup?.close();
          await closeDb?.();
          await store.close();
        }
      })()),
  };
}
