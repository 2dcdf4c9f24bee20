// For tests: a migrated embedded store in a temporary directory. chdb binds one data directory per process, so
// a test file opens one store (beforeAll) and shares it; vitest runs each file in its own forked process (the
// default `forks` pool, never `threads`: chdb hangs inside worker threads).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Value } from '@sinclair/typebox/value';
import { openClickHouse, type ClickHouseStore } from './client.ts';
import { ClickHouseRetentionConfig } from './config.ts';
import { migrate } from './migrate.ts';
import { applyRetention } from './retention.ts';

export interface TestStore extends ClickHouseStore {
  readonly dataDir: string;
  /** closes the store and removes its directory */
  dispose(): Promise<void>;
}

/** The default retention settings, with `overrides`. */
export function retentionSettings(overrides: Partial<ClickHouseRetentionConfig> = {}): ClickHouseRetentionConfig {
  return { ...(Value.Default(ClickHouseRetentionConfig, {}) as ClickHouseRetentionConfig), ...overrides };
}

export async function openTestStore(options: { migrate?: boolean; retention?: Partial<ClickHouseRetentionConfig> } = {}): Promise<TestStore> {
  const dataDir = await mkdtemp(join(tmpdir(), 'facestream-ch-'));
  const store = await openClickHouse({ kind: 'embedded', dataDir });
  if (options.migrate !== false) {
    await migrate(store.client);
    await applyRetention(store.client, retentionSettings(options.retention));
  }
  return {
    ...store,
    dataDir,
    async dispose() {
      await store.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Runs a query and returns its rows. */
export async function rows<T>(store: ClickHouseStore, query: string, query_params?: Record<string, unknown>): Promise<T[]> {
  const rs = await store.client.query({ query, format: 'JSONEachRow', ...(query_params ? { query_params } : {}) });
  return rs.json<T>();
}
