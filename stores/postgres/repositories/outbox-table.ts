// An outbox table (migrations 002, 003): `id` bigint identity, the id of what changed (`<subject>` integer),
// `created_date`; a trigger sends NOTIFY <table> at every commit that queued rows. What a relay does with it
// (enrolment/watchlist-sync/outbox-relay.ts): lock, read the oldest rows, delete them once published.
import type { Queryable } from '../db.ts';

export interface OutboxRow {
  /** bigint, as text (JavaScript numbers stop being exact at 2^53) */
  readonly id: string;
  /** the id of what changed: a dossier face, a camera */
  readonly subject: number;
}

export interface OutboxTable {
  /** the NOTIFY channel its trigger signals: the table's name */
  readonly channel: string;
  /** takes the table's relay lock for the caller's transaction; false when another relay holds it */
  tryLock(tx: Queryable): Promise<boolean>;
  /** the oldest `limit` rows */
  pending(q: Queryable, limit: number): Promise<OutboxRow[]>;
  /** deletes rows by id; resolves to how many were deleted */
  delete(q: Queryable, ids: readonly string[]): Promise<number>;
  /** rows waiting (for tests and metrics) */
  length(q: Queryable): Promise<number>;
}

/**
 * `table` and `subject` are identifiers written here, never input. `lockKey`: the pg_try_advisory_xact_lock key held
 * while one relay drains the table, so two relays never publish one subject's states out of order.
 */
export function outboxTable(table: string, subject: string, lockKey: number): OutboxTable {
  return {
    channel: table,
    async tryLock(tx) {
      const { rows } = await tx.query<{ locked: boolean }>(`SELECT pg_try_advisory_xact_lock(${lockKey}) AS locked`);
      return rows[0]?.locked === true;
    },
    async pending(q, limit) {
      return (await q.query<OutboxRow>(`SELECT id::text AS id, ${subject} AS subject FROM ${table} ORDER BY id LIMIT $1`, [limit])).rows;
    },
    async delete(q, ids) {
      return (await q.query(`DELETE FROM ${table} WHERE id = ANY($1::bigint[])`, [[...ids]])).rowCount;
    },
    async length(q) {
      const { rows } = await q.query<{ n: number }>(`SELECT count(*)::integer AS n FROM ${table}`);
      return rows[0]?.n ?? 0;
    },
  };
}
