// The Db interface over PGlite (PostgreSQL compiled to WASM, in this process): the embedded default when no
// DATABASE_URL is given. One process per data directory; in memory when no directory is given.
import { mkdir } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import type { Transaction } from '@electric-sql/pglite';
import { inTransaction } from './db.ts';
import type { Db, QueryResult, Queryable } from './db.ts';
import { asConstraintError } from './errors.ts';

export interface PgliteDbOptions {
  /** A directory for the database files (made if missing). Default: in memory, gone on close(). */
  readonly dataDir?: string;
}

function statements(client: PGlite | Transaction): Pick<Queryable, 'query' | 'exec'> {
  return {
    async query<R>(sql: string, params: readonly unknown[] = []): Promise<QueryResult<R>> {
      try {
        const res = await client.query<R>(sql, params as unknown[]);
        // affectedRows counts what INSERT/UPDATE/DELETE touched; a SELECT reports 0 there.
        return { rows: res.rows, rowCount: res.affectedRows || res.rows.length };
      } catch (err) {
        throw asConstraintError(err);
      }
    },
    async exec(sql: string): Promise<void> {
      await client.exec(sql).catch((err: unknown) => {
        throw asConstraintError(err);
      });
    },
  };
}

export async function openPglite(opts: PgliteDbOptions = {}): Promise<Db> {
  // PGlite makes the last directory only: `serve --data-dir new/dir` must not fail on the missing parents
  if (opts.dataDir !== undefined) await mkdir(opts.dataDir, { recursive: true });
  const db = opts.dataDir !== undefined ? await PGlite.create(opts.dataDir) : await PGlite.create();
  let closing: Promise<void> | undefined;
  return {
    kind: 'pglite',
    ...statements(db),
    transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
      return db.transaction((tx) => fn(inTransaction(statements(tx))));
    },
    async listen(channel: string, onNotify: (payload: string) => void): Promise<() => Promise<void>> {
      const unlisten = await db.listen(channel, onNotify);
      return () => (db.closed ? Promise.resolve() : unlisten());
    },
    close(): Promise<void> {
      closing ??= db.closed ? Promise.resolve() : db.close();
      return closing;
    },
  };
}
