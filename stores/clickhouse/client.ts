// Opens the ClickHouse store: a @clickhouse/client over either a ClickHouse server (by URL) or the embedded chdb
// engine (chdb/connection plugged into createClient({ connection })). Everything else in stores/clickhouse is
// written against @clickhouse/client only, so a server is one URL away.
//
// chdb pitfalls this file guards (see FACTS.md): one data directory per process (a second path fails; a second
// process on the same path fails on a lock), chdb hangs inside worker_threads, its async API only is used (the
// client never calls the synchronous one), and output_format_json_quote_64bit_integers is set explicitly
// because chdb and servers differ by default.
import { isMainThread } from 'node:worker_threads';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { createClient, type ClickHouseClient, type ClickHouseSettings } from '@clickhouse/client';

type ClientConnection = NonNullable<NonNullable<Parameters<typeof createClient>[0]>['connection']>;

export type ClickHouseTarget =
  | { readonly kind: 'server'; readonly url: string; readonly database: string }
  | { readonly kind: 'embedded'; readonly dataDir: string };

export interface ClickHouseStore {
  readonly client: ClickHouseClient;
  readonly target: ClickHouseTarget;
  /** closes the client (and the chdb session); safe to call twice */
  close(): Promise<void>;
}

/**
 * Settings every query runs with. 64-bit integers come back as JSON strings (exact beyond 2^53; chdb and
 * servers differ by default, so it is set); all our DateTime64 columns carry 'UTC' themselves.
 */
export const CLICKHOUSE_SETTINGS: ClickHouseSettings = {
  output_format_json_quote_64bit_integers: 1,
};

/**
 * Where the store lives: a server when `url` is set (the configuration, or CLICKHOUSE_URL which the config
 * loader passes in as `url`), else embedded chdb in `dataDir`.
 */
export function clickHouseTarget(config: { readonly url: string; readonly database: string; readonly data_dir: string }): ClickHouseTarget {
  if (config.url.trim() !== '') return { kind: 'server', url: config.url.trim(), database: config.database };
  return { kind: 'embedded', dataDir: resolve(config.data_dir) };
}

/** the data directory the embedded engine of this process is bound to, and how many stores use it */
let embedded: { dataDir: string; users: number } | null = null;

export class ClickHouseStoreError extends Error {
  override readonly name = 'ClickHouseStoreError';
}

/** Opens the store and checks it answers. */
export async function openClickHouse(target: ClickHouseTarget): Promise<ClickHouseStore> {
  if (target.kind === 'server') {
    const client = createClient({ url: target.url, database: target.database, clickhouse_settings: CLICKHOUSE_SETTINGS });
    await ping(client, target);
    return { client, target, close: closeOnce(() => client.close()) };
  }
  if (!isMainThread) {
    throw new ClickHouseStoreError('the embedded ClickHouse (chdb) hangs inside worker threads: open it on the main thread, or set CLICKHOUSE_URL');
  }
  if (embedded !== null && embedded.dataDir !== target.dataDir) {
    throw new ClickHouseStoreError(
      `this process already uses the embedded ClickHouse in ${embedded.dataDir}; chdb binds one data directory per process (asked for ${target.dataDir})`,
    );
  }
  mkdirSync(target.dataDir, { recursive: true });
  // chdb is loaded only when embedded: a deployment on a server never maps its 500 MB engine
  const { createChdbConnection } = await import('chdb/connection');
  let connection;
  try {
    connection = createChdbConnection({ path: target.dataDir });
  } catch (err) {
    throw new ClickHouseStoreError(`cannot open the embedded ClickHouse in ${target.dataDir} (is another process using it?): ${messageOf(err)}`);
  }
  embedded = { dataDir: target.dataDir, users: (embedded?.users ?? 0) + 1 };
  // chdb types its connection against its own copy of @clickhouse/client-common; the shapes are the same
  const client = createClient({ connection: connection as unknown as ClientConnection, clickhouse_settings: CLICKHOUSE_SETTINGS });
  const close = closeOnce(async () => {
    await client.close();
    if (embedded !== null && --embedded.users === 0) embedded = null;
  });
  try {
    await ping(client, target);
  } catch (err) {
    await close();
    throw err;
  }
  return { client, target, close };
}

async function ping(client: ClickHouseClient, target: ClickHouseTarget): Promise<void> {
  const res = await client.ping();
  if (!res.success) {
    const where = target.kind === 'server' ? redactUrl(target.url) : target.dataDir;
    throw new ClickHouseStoreError(`ClickHouse at ${where} does not answer: ${messageOf(res.error)}`);
  }
}

function closeOnce(fn: () => Promise<void>): () => Promise<void> {
  let closing: Promise<void> | null = null;
  return () => (closing ??= fn());
}

/** the URL without its password, for messages */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password !== '') u.password = '***';
    return u.toString();
  } catch {
    return '(unparsable URL)';
  }
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
