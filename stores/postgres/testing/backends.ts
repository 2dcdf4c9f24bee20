// Runs one test suite against both engines behind the Db interface: a real PostgreSQL 15 server (the test run's
// shared server from infra/postgres, a fresh database per suite) and PGlite in memory. Each suite gets its own
// migrated database, shared by its tests: use names no other test in the file uses.
import { afterAll, beforeAll, describe } from 'vitest';
import { freshDatabase } from '../../../test/support/postgres.ts';
import type { Db } from '../db.ts';
import { openDatabase } from '../open.ts';

export const BACKENDS = ['postgres', 'pglite'] as const;
export type Backend = (typeof BACKENDS)[number];

export interface BackendContext {
  readonly kind: Backend;
  /** The suite's database (valid inside tests and hooks). */
  readonly db: Db;
}

/** A database of the given engine, empty and not migrated: a URL on the shared server, or PGlite options. */
export async function emptyDatabase(kind: Backend): Promise<{ readonly url?: string }> {
  return kind === 'postgres' ? { url: await freshDatabase('store') } : {};
}

export function describeEachBackend(title: string, body: (ctx: BackendContext) => void): void {
  describe.each(BACKENDS)(`${title} [%s]`, (kind) => {
    let db: Db | undefined;
    beforeAll(async () => {
      db = (await openDatabase(await emptyDatabase(kind))).db;
    });
    afterAll(async () => {
      await db?.close();
    });
    body({
      kind,
      get db(): Db {
        if (!db) throw new Error('the database is opened in beforeAll: use ctx.db inside tests');
        return db;
      },
    });
  });
}
