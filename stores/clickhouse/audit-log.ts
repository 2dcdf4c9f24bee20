// The audit log (table audit_log): one row per mutating API request, written in batches so a request never waits
// for ClickHouse, and read back newest first with cursor pages on (ts, id) like events.
import type { ClickHouseClient } from '@clickhouse/client';
import { decodeCursor, encodeCursor, EventQueryError } from './events-query.ts';
import { TABLES } from './names.ts';
import { SqlConditions } from './sql-params.ts';

export interface AuditEntry {
  /** the request id */
  readonly id: string;
  /** ms since the epoch */
  readonly ts: number;
  /** '' when nobody was authenticated (a failed login, a refused token) */
  readonly userId: string;
  readonly userName: string;
  readonly method: string;
  /** the route pattern (`/api/v1/cameras/:id`), or the path when no route matched */
  readonly route: string;
  readonly statusCode: number;
  /** SHA-256 of the request body, hex; never the body itself */
  readonly bodyDigest: string;
  readonly objectKind: string;
  readonly objectId: string;
  readonly ip: string;
}

interface AuditDbRow {
  id: string;
  ts_ms: string;
  user_id: string;
  user_name: string;
  method: string;
  route: string;
  status_code: number;
  body_digest: string;
  object_kind: string;
  object_id: string;
  ip: string;
}

/** The entry as an audit_log row (FindFace-style snake_case names, which the API answers with as well). */
export const auditRow = (e: AuditEntry) => ({
  id: e.id,
  ts: e.ts, // DateTime64(3) takes ms since the epoch in JSONEachRow
  user_id: e.userId,
  user_name: e.userName,
  method: e.method,
  route: e.route,
  status_code: e.statusCode,
  body_digest: e.bodyDigest,
  object_kind: e.objectKind,
  object_id: e.objectId,
  ip: e.ip,
  details: '{}',
});

const fromRow = (r: AuditDbRow): AuditEntry => ({
  id: r.id,
  ts: Number(r.ts_ms),
  userId: r.user_id,
  userName: r.user_name,
  method: r.method,
  route: r.route,
  statusCode: r.status_code,
  bodyDigest: r.body_digest,
  objectKind: r.object_kind,
  objectId: r.object_id,
  ip: r.ip,
});

export interface AuditLogWriter {
  /** Queues the entry; it is written within `maxDelayMs` or once `maxRows` are queued. */
  record(entry: AuditEntry): void;
  /** Writes what is queued now (tests, shutdown). */
  flush(): Promise<void>;
  /** Flushes and stops the timer; safe to call twice. */
  close(): Promise<void>;
}

export interface AuditLogWriterOptions {
  readonly client: ClickHouseClient;
  /** told about a batch that could not be written (the rows are dropped: auditing must not take the API down) */
  readonly onError: (err: unknown, rows: number) => void;
  readonly maxRows?: number;
  readonly maxDelayMs?: number;
}

export function createAuditLogWriter(o: AuditLogWriterOptions): AuditLogWriter {
  const maxRows = o.maxRows ?? 200;
  const maxDelayMs = o.maxDelayMs ?? 1000;
  let pending: AuditEntry[] = [];
  let timer: NodeJS.Timeout | null = null;
  let writing: Promise<void> = Promise.resolve();
  let closed = false;

  function flush(): Promise<void> {
    if (timer) clearTimeout(timer);
    timer = null;
    const batch = pending;
    pending = [];
    // batches go one after the other, so flush() resolves once everything queued before it is written
    writing = writing.then(async () => {
      if (batch.length === 0) return;
      try {
        await o.client.insert({ table: TABLES.auditLog, values: batch.map(auditRow), format: 'JSONEachRow' });
      } catch (err) {
        o.onError(err, batch.length);
      }
    });
    return writing;
  }

  return {
    record(entry) {
      pending.push(entry);
      if (pending.length >= maxRows || closed) void flush();
      else if (!timer) {
        timer = setTimeout(() => void flush(), maxDelayMs);
        timer.unref(); // a pending audit batch does not keep the process alive; close() writes it
      }
    },
    flush,
    async close() {
      closed = true;
      await flush();
    },
  };
}

export interface AuditQuery {
  readonly userName?: string;
  readonly userId?: string;
  /** ms since the epoch, inclusive */
  readonly from?: number;
  /** ms since the epoch, exclusive */
  readonly to?: number;
  readonly limit: number;
  readonly cursor?: string | null;
}

/** Newest first; `nextCursor` null on the last page. */
export async function queryAuditLog(client: ClickHouseClient, q: AuditQuery): Promise<{ entries: AuditEntry[]; nextCursor: string | null }> {
  if (!Number.isInteger(q.limit) || q.limit < 1 || q.limit > 1000) throw new EventQueryError('limit must be an integer in 1…1000');
  const c = new SqlConditions();
  c.timeRange('ts', q.from, q.to);
  if (q.userName !== undefined) c.add(`user_name = ${c.param(q.userName, 'String')}`);
  if (q.userId !== undefined) c.add(`user_id = ${c.param(q.userId, 'String')}`);
  if (q.cursor) {
    const at = decodeCursor(q.cursor);
    c.add(`(ts, id) < (${c.msTime(at.ts)}, ${c.param(at.id, 'String')})`);
  }
  const rs = await client.query({
    query: `SELECT id, toUnixTimestamp64Milli(ts) AS ts_ms, user_id, user_name, method, route, status_code, body_digest, object_kind, object_id, ip
      FROM ${TABLES.auditLog} FINAL ${c.where()}
      ORDER BY ts DESC, id DESC LIMIT ${c.param(q.limit + 1, 'UInt32')}`,
    query_params: c.params,
    format: 'JSONEachRow',
  });
  const rows = await rs.json<AuditDbRow>();
  const entries = rows.slice(0, q.limit).map(fromRow);
  const last = entries[entries.length - 1];
  return { entries, nextCursor: rows.length > q.limit && last ? encodeCursor(last.ts, last.id) : null };
}
