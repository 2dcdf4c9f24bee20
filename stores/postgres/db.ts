// The one query interface the PostgreSQL stores use, whatever runs the SQL: a `pg` pool against a server
// (pg-db.ts, DATABASE_URL) or PGlite in this process (pglite-db.ts, the embedded default). Repositories take a
// `Queryable`, so the same function runs on the database or inside a transaction.
//
// Values always travel as parameters ($1, $2 …). Both adapters return the same JavaScript types for the column types
// the schema uses: integer/real → number, text → string, boolean, timestamptz → Date, jsonb → parsed value,
// text[]/integer[] → arrays, bytea → Uint8Array (a Buffer with pg). bigint is not used (pg would give strings):
// counts are cast to integer in SQL.

export interface QueryResult<R> {
  readonly rows: R[];
  /** Rows returned, inserted, updated or deleted by the statement. */
  readonly rowCount: number;
}

export interface Queryable {
  /** One statement with `$n` parameters. */
  query<R = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<QueryResult<R>>;
  /** Several statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
  /**
   * Runs `fn` in one transaction (one connection): committed when it resolves, rolled back when it throws (the error
   * is rethrown). Called on a transaction's `tx`, it nests as a savepoint, so a repository function that needs several
   * statements can run inside a caller's transaction too.
   */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
}

export interface Db extends Queryable {
  /** Which engine runs the SQL. */
  readonly kind: 'pg' | 'pglite';
  /**
   * LISTEN: `onNotify` gets the payload of every NOTIFY on `channel` from a committed transaction — on a server over a
   * connection of its own, in PGlite from the same instance. `onLost` is told when a server drops that connection
   * (nothing more arrives until listen() is called again). Resolves to the function that stops listening.
   */
  listen(channel: string, onNotify: (payload: string) => void, onLost?: (err: Error) => void): Promise<() => Promise<void>>;
  /** Closes the pool or the embedded database. Safe to call twice. */
  close(): Promise<void>;
}

/** A transaction's Queryable, whose transaction() makes savepoints (sp_1, sp_2 … by depth). */
export function inTransaction(run: Pick<Queryable, 'query' | 'exec'>, depth = 0): Queryable {
  const tx: Queryable = {
    query: (sql, params) => run.query(sql, params),
    exec: (sql) => run.exec(sql),
    async transaction<T>(fn: (inner: Queryable) => Promise<T>): Promise<T> {
      const sp = `sp_${depth + 1}`;
      await run.exec(`SAVEPOINT ${sp}`);
      try {
        const result = await fn(inTransaction(run, depth + 1));
        await run.exec(`RELEASE SAVEPOINT ${sp}`);
        return result;
      } catch (err) {
        await run.exec(`ROLLBACK TO SAVEPOINT ${sp}`);
        throw err;
      }
    },
  };
  return tx;
}
