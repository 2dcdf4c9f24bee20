// Raw reads of whole topics for the Kafka bench: every record as it sits on the broker (key, value and header
// bytes, the record timestamp), read_committed as a downstream consumer sees it, without decoding.
import { randomUUID } from 'node:crypto';
import type { IHeaders, Kafka } from 'kafkajs';

/**
 * Record limit of the state topics the bench creates (the broker's default is 1 MiB): the track stage's state
 * holds raw RGB crops of its best-shot candidates and the episodes stage's its look-back events with their
 * vectors, and either can outgrow 1 MiB for one key, after which the stage fails on every commit.
 */
export const STATE_RECORD_LIMIT = 16 << 20;

export interface RawRecord {
  readonly partition: number;
  readonly offset: bigint;
  /** the record's timestamp (CreateTime: set by the producing client when it sent the record), ms */
  readonly timestamp: number;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: IHeaders;
}

/** Bytes a record puts on the wire as payload: key + value + header names and values. */
export function recordBytes(r: Pick<RawRecord, 'key' | 'value' | 'headers'>): number {
  let n = (r.key?.length ?? 0) + (r.value?.length ?? 0);
  for (const [name, v] of Object.entries(r.headers ?? {})) {
    n += Buffer.byteLength(name);
    for (const x of Array.isArray(v) ? v : [v]) if (x !== undefined) n += typeof x === 'string' ? Buffer.byteLength(x) : x.length;
  }
  return n;
}

/** End offset (high watermark) of each partition of `topic`. */
export async function endOffsets(kafka: Kafka, topic: string): Promise<Map<number, bigint>> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return new Map((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, BigInt(p.high)]));
  } finally {
    await admin.disconnect();
  }
}

/**
 * Every committed record of `topic`, in partition order. Transaction markers take an offset but are never
 * delivered, so a partition counts as read when its last delivered record is within one offset of the end and
 * nothing has come for a moment.
 */
export async function readTopic(kafka: Kafka, topic: string, opts: { timeoutMs?: number; idleMs?: number } = {}): Promise<RawRecord[]> {
  const ends = await endOffsets(kafka, topic);
  const records: RawRecord[] = [];
  const next = new Map<number, bigint>([...ends.keys()].map((p) => [p, 0n]));
  const complete = (slack: bigint) => [...ends].every(([p, end]) => end === 0n || (next.get(p) ?? 0n) + slack >= end);
  if (complete(0n)) return records;
  const consumer = kafka.consumer({ groupId: `bench-reader-${randomUUID()}`, readUncommitted: false, allowAutoTopicCreation: false, maxBytes: 50 << 20 });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timeoutMs = opts.timeoutMs ?? 300_000;
      const idleMs = opts.idleMs ?? 1500;
      let lastAt = Date.now();
      const timer = setInterval(() => {
        if (complete(0n) || (complete(1n) && Date.now() - lastAt > idleMs)) finish();
        else if (Date.now() - lastAt > timeoutMs) finish(new Error(`${topic}: ${records.length} records read, then nothing for ${timeoutMs} ms`));
      }, 100);
      const finish = (err?: Error) => {
        clearInterval(timer);
        if (err) reject(err);
        else resolve();
      };
      consumer
        .run({
          eachBatch: async ({ batch }) => {
            for (const m of batch.messages) {
              records.push({ partition: batch.partition, offset: BigInt(m.offset), timestamp: Number(m.timestamp), key: m.key, value: m.value, headers: m.headers ?? {} });
              next.set(batch.partition, BigInt(m.offset) + 1n);
            }
            lastAt = Date.now();
          },
        })
        .catch(finish);
    });
  } finally {
    await consumer.disconnect();
  }
  return records.sort((a, b) => a.partition - b.partition || (a.offset < b.offset ? -1 : a.offset > b.offset ? 1 : 0));
}
