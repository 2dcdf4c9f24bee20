// The Db interface over a `pg` connection pool, for a PostgreSQL server (DATABASE_URL).
import pg from 'pg';
import { inTransaction } from './db.ts';
import type { Db, QueryResult, Queryable } from './db.ts';
import { asConstraintError } from './errors.ts';

export interface PgDbOptions {
  /** postgres://user:password@host:port/database, e.g. DATABASE_URL. */
  readonly url: string;
  /** Connections in the pool. Default 10. */
  readonly max?: number;
  /** Name shown in pg_stat_activity. Default `facestream`. */
  readonly applicationName?: string;
}

type Client = pg.Pool | pg.PoolClient;

function statements(client: Client): Pick<Queryable, 'query' | 'exec'> {
  return {
    async query<R>(sql: string, params: readonly unknown[] = []): Promise<QueryResult<R>> {
      try {
        const res = await client.query(sql, params as unknown[]);
        return { rows: res.rows as R[], rowCount: res.rowCount ?? 0 };
      } catch (err) {
        throw asConstraintError(err);
      }
    },
    async exec(sql: string): Promise<void> {
      await client.query(sql).catch((err: unknown) => {
        throw asConstraintError(err);
      }); // no parameters: the simple protocol, which runs several statements
    },
  };
}

export function connectPg(opts: PgDbOptions): Db {
  const pool = new pg.Pool({ connectionString: opts.url, max: opts.max ?? 10, application_name: opts.applicationName ?? 'facestream' });
  // An idle connection the server drops (restart, admin kill) must not crash the process; the next query reconnects.
  pool.on('error', () => undefined);
  let closing: Promise<void> | undefined;
  return {
    kind: 'pg',
    ...statements(pool),
    async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
      const client = await pool.connect();
      let broken: unknown;
      try {
        await client.query('BEGIN');
        const result = await fn(inTransaction(statements(client)));
        await client.query('COMMIT');
        return result;
      } catch (err) {
        await client.query('ROLLBACK').catch((rollbackErr: unknown) => (broken = rollbackErr));
        throw err;
      } finally {
        // A connection whose rollback failed is in an unknown state: drop it instead of returning it to the pool.
        client.release(broken instanceof Error ? broken : undefined);
      }
    },
    async listen(channel: string, onNotify: (payload: string) => void, onLost?: (err: Error) => void): Promise<() => Promise<void>> {
      // a pooled connection would be handed to other queries between notifications: LISTEN needs one of its own
      const client = new pg.Client({ connectionString: opts.url, application_name: `${opts.applicationName ?? 'facestream'} listen` });
      let ended = false;
      client.on('notification', (n) => {
        if (n.channel === channel) onNotify(n.payload ?? '');
      });
      client.on('error', (err) => {
        if (!ended) onLost?.(err);
      });
      client.on('end', () => {
        if (!ended) onLost?.(new Error(`the LISTEN connection for ${channel} ended`));
      });
      await client.connect();
      await client.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
      return async () => {
        if (ended) return;
        ended = true;
        await client.end();
      };
    },
    close(): Promise<void> {
      closing ??= pool.end();
      return closing;
    },
  };
}
