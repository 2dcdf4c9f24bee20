// Opening the identity store: a PostgreSQL server when a URL is given (DATABASE_URL), else PGlite in this process
// (a data directory, or memory). Migrations run before the Db is handed out.
import type { Db } from './db.ts';
import { migrate } from './migrate.ts';
import type { MigrationResult } from './migrate.ts';
import { connectPg } from './pg-db.ts';
import { openPglite } from './pglite-db.ts';

export interface OpenDatabaseOptions {
  /** postgres://… of a server (DATABASE_URL). When set, `dataDir` is ignored. */
  readonly url?: string;
  /** PGlite's data directory when no `url` is given. Default: in memory. */
  readonly dataDir?: string;
  /** Pool size against a server. Default 10. */
  readonly maxConnections?: number;
}

export interface OpenedDatabase {
  readonly db: Db;
  readonly migrations: MigrationResult;
}

export async function openDatabase(opts: OpenDatabaseOptions = {}): Promise<OpenedDatabase> {
  const db = opts.url ? connectPg({ url: opts.url, max: opts.maxConnections }) : await openPglite({ dataDir: opts.dataDir });
  try {
    return { db, migrations: await migrate(db) };
  } catch (err) {
    await db.close();
    throw err;
  }
}

/** The store's options from an environment (read once by the caller's config loader): DATABASE_URL. */
export function databaseOptionsFromEnv(env: Readonly<Record<string, string | undefined>>, dataDir?: string): OpenDatabaseOptions {
  const url = env['DATABASE_URL'];
  return url ? { url } : { dataDir };
}
