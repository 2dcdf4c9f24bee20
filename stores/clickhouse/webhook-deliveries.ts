// The webhook delivery log (table webhook_deliveries, migrations 0003 and 0007): one row per batch and attempt,
// written in batches (an insert costs 11–24 ms whatever its size: rows wait for 500 of them or 1 s) so a delivery
// never waits for ClickHouse, and read back newest first with cursor pages on (ts, id, attempt).
import type { ClickHouseClient } from '@clickhouse/client';
import { createBatcher } from './batcher.ts';
import { decodeCursor, encodeCursor, EventQueryError } from './events-query.ts';
import { TABLES } from './names.ts';
import { SqlConditions } from './sql-params.ts';

export const DELIVERY_STATUSES = ['delivered', 'retrying', 'failed', 'dropped'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

export interface WebhookDelivery {
  /** the batch id: the same over every attempt of one batch */
  readonly batchId: string;
  readonly webhookId: string;
  /** 1-based; 0 for a batch dropped before any attempt */
  readonly attempt: number;
  /** events | episodes | counters */
  readonly type: string;
  readonly objectIds: readonly string[];
  /** ms since the epoch: when the attempt started */
  readonly ts: number;
  readonly url: string;
  /** the receiver's HTTP status; 0 when it did not answer */
  readonly statusCode: number;
  readonly status: DeliveryStatus;
  /** why the attempt failed ('' when delivered) */
  readonly error: string;
  readonly durationMs: number;
  readonly transport: 'http' | 'mqtt';
}

const toRow = (d: WebhookDelivery) => ({
  id: d.batchId,
  attempt: d.attempt,
  webhook_id: d.webhookId,
  object_kind: d.type,
  object_id: d.objectIds[0] ?? '',
  object_ids: d.objectIds,
  count: d.objectIds.length,
  ts: d.ts, // DateTime64(3) takes ms since the epoch in JSONEachRow
  url: d.url,
  status_code: d.statusCode,
  ok: d.status === 'delivered',
  status: d.status,
  error: d.error,
  duration_ms: Math.max(0, Math.round(d.durationMs)),
  transport: d.transport,
});

export interface DeliveryLogWriter {
  /** Queues the row; it is written within `maxDelayMs` or once `maxRows` are queued. */
  record(delivery: WebhookDelivery): void;
  /** Writes what is queued now (tests, shutdown). */
  flush(): Promise<void>;
  /** Flushes and stops the timer; safe to call twice. */
  close(): Promise<void>;
}

export interface DeliveryLogWriterOptions {
  readonly client: ClickHouseClient;
  /** told about rows that could not be written (they are dropped: the log must not stop deliveries) */
  readonly onError: (err: unknown, rows: number) => void;
  readonly maxRows?: number;
  readonly maxDelayMs?: number;
}

export function createDeliveryLogWriter(o: DeliveryLogWriterOptions): DeliveryLogWriter {
  const batcher = createBatcher<WebhookDelivery>({ maxRows: o.maxRows ?? 500, maxDelayMs: o.maxDelayMs ?? 1000 });
  let writing: Promise<void> = Promise.resolve();
  let closed = false;
  const write = (rows: readonly WebhookDelivery[]) => {
    // one insert after the other, so flush() resolves once everything recorded before it is written
    writing = writing.then(async () => {
      if (rows.length === 0) return;
      try {
        await o.client.insert({ table: TABLES.webhookDeliveries, values: rows.map(toRow), format: 'JSONEachRow' });
      } catch (err) {
        o.onError(err, rows.length);
      }
    });
    return writing;
  };
  const flush = () => write(batcher.takeAll());
  const timer = setInterval(() => batcher.due(Date.now()) && void flush(), Math.min(250, o.maxDelayMs ?? 1000));
  timer.unref(); // pending rows do not keep the process alive; close() writes them
  return {
    record(delivery) {
      for (const full of batcher.add([delivery], Date.now())) void write(full);
      if (closed) void flush();
    },
    flush,
    async close() {
      closed = true;
      clearInterval(timer);
      await flush();
    },
  };
}

export interface DeliveryQuery {
  readonly webhookId: string;
  readonly status?: DeliveryStatus;
  readonly limit: number;
  readonly cursor?: string | null;
}

interface DeliveryDbRow {
  id: string;
  attempt: number;
  webhook_id: string;
  object_kind: string;
  object_ids: string[];
  ts_ms: string;
  url: string;
  status_code: number;
  status: DeliveryStatus;
  error: string;
  duration_ms: number;
  transport: 'http' | 'mqtt';
}

const fromRow = (r: DeliveryDbRow): WebhookDelivery => ({
  batchId: r.id,
  webhookId: r.webhook_id,
  attempt: Number(r.attempt),
  type: r.object_kind,
  objectIds: r.object_ids,
  ts: Number(r.ts_ms),
  url: r.url,
  statusCode: Number(r.status_code),
  status: r.status,
  error: r.error,
  durationMs: Number(r.duration_ms),
  transport: r.transport,
});

/** The cursor's id part: batch and attempt, which together with ts order the rows. */
const cursorId = (d: Pick<WebhookDelivery, 'batchId' | 'attempt'>) => `${d.batchId}/${d.attempt}`;

/** One webhook's deliveries, newest first; `nextCursor` null on the last page. */
export async function queryWebhookDeliveries(client: ClickHouseClient, q: DeliveryQuery): Promise<{ deliveries: WebhookDelivery[]; nextCursor: string | null }> {
  if (!Number.isInteger(q.limit) || q.limit < 1 || q.limit > 1000) throw new EventQueryError('limit must be an integer in 1…1000');
  const c = new SqlConditions();
  c.add(`webhook_id = ${c.param(q.webhookId, 'String')}`);
  if (q.status !== undefined) c.add(`status = ${c.param(q.status, 'String')}`);
  if (q.cursor) {
    const at = decodeCursor(q.cursor);
    c.add(`(ts, concat(id, '/', toString(attempt))) < (${c.msTime(at.ts)}, ${c.param(at.id, 'String')})`);
  }
  const rs = await client.query({
    query: `SELECT id, attempt, webhook_id, object_kind, object_ids, toUnixTimestamp64Milli(ts) AS ts_ms, url, status_code, status, error, duration_ms, transport
      FROM ${TABLES.webhookDeliveries} FINAL ${c.where()}
      ORDER BY ts DESC, concat(id, '/', toString(attempt)) DESC LIMIT ${c.param(q.limit + 1, 'UInt32')}`,
    query_params: c.params,
    format: 'JSONEachRow',
  });
  const rows = await rs.json<DeliveryDbRow>();
  const deliveries = rows.slice(0, q.limit).map(fromRow);
  const last = deliveries[deliveries.length - 1];
  return { deliveries, nextCursor: rows.length > q.limit && last ? encodeCursor(last.ts, cursorId(last)) : null };
}
