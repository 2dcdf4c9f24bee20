// kafkajs builds a Produce request by nesting encoders that each grow by doubling and copy their children in: a
// record's value is copied about eight times before it reaches the socket, through buffers allocated zero-filled,
// and every record's varints go through its 64-bit Long class. This writes the same request body in one pass into
// one buffer sized beforehand (16 → 6 µs a 3.5 KB record through kafkajs's produce path; docs/KAFKA.md). kafkajs
// takes no encoder as an option, so its Produce v3 module (v4–v7 are v3's body under another version number) is
// replaced in the CommonJS cache before its first produce. The batch checksum (CRC-32C) is @node-rs/crc32's native
// one, where kafkajs's JavaScript table took 7–9 % of a match process. Compressed batches (facestream sends none)
// keep kafkajs's own encoder. The bytes are kafkajs's (produce-request.test.ts compares them), and the broker
// checks each batch's CRC and layout on arrival.
import { createRequire } from 'node:module';
import { crc32c } from '@node-rs/crc32';

/*
 * Produce Request (Versions: 3–7) => transactional_id acks timeout_ms [topic_data]
 *   transactional_id => NULLABLE_STRING     acks => INT16     timeout_ms => INT32
 *   topic_data => name [partition_data]
 *     name => STRING
 *     partition_data => index records
 *       index => INT32
 *       records => RECORDS                  (INT32 size, then one record batch)
 *
 * RecordBatch (magic 2) => baseOffset: INT64, batchLength: INT32, partitionLeaderEpoch: INT32, magic: INT8,
 *   crc: UINT32 (CRC-32C of everything after it), attributes: INT16, lastOffsetDelta: INT32, baseTimestamp: INT64,
 *   maxTimestamp: INT64, producerId: INT64, producerEpoch: INT16, baseSequence: INT32, records: [Record] (INT32 count)
 * Record => length: VARINT, attributes: INT8, timestampDelta: VARLONG, offsetDelta: VARINT, key: VARINT size + bytes,
 *   value: VARINT size + bytes, headers: VARINT count, then each key: VARINT size + utf8, value: VARINT size + bytes
 * (VARINT/VARLONG: zigzag, 7 bits a byte, low first; a null key, value or header value has size -1)
 */

type HeaderValue = Buffer | string | null | undefined;

/** A message as kafkajs hands it to its Produce encoder. */
export interface ProduceMessage {
  readonly key?: Buffer | string | null;
  readonly value: Buffer | string | null;
  readonly headers?: Readonly<Record<string, HeaderValue | readonly HeaderValue[]>>;
  readonly timestamp?: number | string;
}

export interface ProduceRequestBody {
  readonly transactionalId?: string | null;
  readonly acks: number;
  readonly timeout: number;
  /** kafkajs passes its Long, a number or a string: anything whose String() is the decimal value */
  readonly producerId?: { toString(): string } | number;
  readonly producerEpoch?: number;
  readonly topicData: ReadonlyArray<{
    readonly topic: string;
    readonly partitions: ReadonlyArray<{ readonly partition: number; readonly firstSequence?: number; readonly messages: readonly ProduceMessage[] }>;
  }>;
}

const MAGIC = 2;
const TRANSACTIONAL = 0x10;
/** baseOffset + batchLength: the part of a batch before what batchLength counts */
const BATCH_PREFIX = 12;
/** partitionLeaderEpoch, magic, crc */
const BEFORE_CRC_BODY = 9;
/** attributes … baseSequence, and the records' count */
const BATCH_FIXED = 2 + 4 + 8 + 8 + 8 + 2 + 4 + 4;

const zigzag = (v: number) => (v >= 0 ? v * 2 : -v * 2 - 1);

function varintSize(v: number): number {
  let u = zigzag(v);
  let n = 1;
  while (u >= 128) {
    u = Math.floor(u / 128);
    n++;
  }
  return n;
}

/** A record's fields as bytes, and its size without its own length varint. */
interface PreparedRecord {
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly timestampDelta: number;
  /** header keys and values, alternating */
  readonly headers: Array<Buffer | null>;
  readonly bodySize: number;
}

const bytesOf = (v: Buffer | string | null | undefined): Buffer | null => (v == null ? null : Buffer.isBuffer(v) ? v : Buffer.from(String(v)));
const sizeWithLength = (b: Buffer | null) => (b === null ? 1 : varintSize(b.length) + b.length);

function prepare(message: ProduceMessage, offsetDelta: number, timestampDelta: number): PreparedRecord {
  const headers: Array<Buffer | null> = [];
  for (const [name, v] of Object.entries(message.headers ?? {})) {
    const nameBytes = Buffer.from(name);
    for (const one of Array.isArray(v) ? (v as readonly HeaderValue[]) : [v as HeaderValue]) headers.push(nameBytes, bytesOf(one));
  }
  const key = bytesOf(message.key);
  const value = bytesOf(message.value);
  let bodySize = 1 + varintSize(timestampDelta) + varintSize(offsetDelta) + sizeWithLength(key) + sizeWithLength(value) + varintSize(headers.length / 2);
  for (const h of headers) bodySize += sizeWithLength(h);
  return { key, value, timestampDelta, headers, bodySize };
}

/** Writes into one buffer, front to back. */
class Writer {
  offset = 0;
  constructor(readonly buf: Buffer) {}
  int8(v: number) {
    this.offset = this.buf.writeInt8(v, this.offset);
  }
  int16(v: number) {
    this.offset = this.buf.writeInt16BE(v, this.offset);
  }
  int32(v: number) {
    this.offset = this.buf.writeInt32BE(v, this.offset);
  }
  int64(v: bigint) {
    this.offset = this.buf.writeBigInt64BE(v, this.offset);
  }
  varint(v: number) {
    let u = zigzag(v);
    while (u >= 128) {
      this.buf[this.offset++] = (u % 128) | 128;
      u = Math.floor(u / 128);
    }
    this.buf[this.offset++] = u;
  }
  varintBytes(b: Buffer | null) {
    if (b === null) return this.varint(-1);
    this.varint(b.length);
    this.offset += b.copy(this.buf, this.offset);
  }
  string(s: string | null) {
    if (s === null) return this.int16(-1);
    const length = Buffer.byteLength(s);
    this.int16(length);
    this.offset += this.buf.write(s, this.offset, length);
  }
}

interface PreparedBatch {
  readonly partition: number;
  readonly firstSequence: number;
  readonly records: readonly PreparedRecord[];
  readonly firstTimestamp: number;
  readonly maxTimestamp: number;
  /** batchLength: from partitionLeaderEpoch to the end */
  readonly length: number;
}

/** The batch's first and max timestamps are its messages' numeric least and greatest (kafkajs sorts them as strings: the same for equal lengths). */
function prepareBatch(partition: number, firstSequence: number, messages: readonly ProduceMessage[], now: number): PreparedBatch {
  let firstTimestamp = Infinity;
  let maxTimestamp = -Infinity;
  for (const m of messages) {
    if (m.timestamp == null) continue;
    firstTimestamp = Math.min(firstTimestamp, Number(m.timestamp));
    maxTimestamp = Math.max(maxTimestamp, Number(m.timestamp));
  }
  if (firstTimestamp === Infinity) firstTimestamp = maxTimestamp = now;
  const records = messages.map((m, i) => prepare(m, i, (m.timestamp == null ? now : Number(m.timestamp)) - firstTimestamp));
  let length = BEFORE_CRC_BODY + BATCH_FIXED;
  for (const r of records) length += varintSize(r.bodySize) + r.bodySize;
  return { partition, firstSequence, records, firstTimestamp, maxTimestamp, length };
}

function writeBatch(w: Writer, batch: PreparedBatch, producerId: bigint, producerEpoch: number, transactional: boolean): void {
  w.int64(0n);
  w.int32(batch.length);
  w.int32(0); // partitionLeaderEpoch
  w.int8(MAGIC);
  const crcAt = w.offset;
  w.offset += 4;
  w.int16(transactional ? TRANSACTIONAL : 0);
  w.int32(batch.records.length - 1);
  w.int64(BigInt(batch.firstTimestamp));
  w.int64(BigInt(batch.maxTimestamp));
  w.int64(producerId);
  w.int16(producerEpoch);
  w.int32(batch.firstSequence);
  w.int32(batch.records.length);
  batch.records.forEach((r, i) => {
    w.varint(r.bodySize);
    w.int8(0);
    w.varint(r.timestampDelta);
    w.varint(i);
    w.varintBytes(r.key);
    w.varintBytes(r.value);
    w.varint(r.headers.length / 2);
    for (const h of r.headers) w.varintBytes(h);
  });
  w.buf.writeUInt32BE(crc32c(w.buf.subarray(crcAt + 4, w.offset)), crcAt);
}

/** The Produce request's body (after the request header), uncompressed record batches, as kafkajs would write it. */
export function encodeProduceRequest(body: ProduceRequestBody, now = Date.now()): Buffer {
  const transactionalId = body.transactionalId ?? null;
  const topics = body.topicData.map(({ topic, partitions }) => ({
    topic,
    batches: partitions.map((p) => prepareBatch(p.partition, p.firstSequence ?? 0, p.messages, now)),
  }));
  let size = 2 + (transactionalId === null ? 0 : Buffer.byteLength(transactionalId)) + 2 + 4 + 4;
  for (const t of topics) {
    size += 2 + Buffer.byteLength(t.topic) + 4;
    for (const b of t.batches) size += 4 + 4 + BATCH_PREFIX + b.length;
  }
  const w = new Writer(Buffer.allocUnsafe(size));
  w.string(transactionalId);
  w.int16(body.acks);
  w.int32(body.timeout);
  w.int32(topics.length);
  const producerId = BigInt(String(body.producerId ?? -1));
  for (const t of topics) {
    w.string(t.topic);
    w.int32(t.batches.length);
    for (const b of t.batches) {
      w.int32(b.partition);
      w.int32(BATCH_PREFIX + b.length);
      writeBatch(w, b, producerId, body.producerEpoch ?? 0, Boolean(transactionalId));
    }
  }
  if (w.offset !== size) throw new Error(`Produce request: wrote ${w.offset} bytes of ${size} counted`);
  return w.buf;
}

// ---------------------------------------------------------------------------------------------------------------
// kafkajs adapter

const require = createRequire(import.meta.url);
const KAFKAJS_PRODUCE_V3 = require.resolve('kafkajs/src/protocol/requests/produce/v3/request.js');
/** the later versions' modules, which take v3's builder when they load */
const KAFKAJS_PRODUCE_LATER = [4, 5, 6, 7].map((v) => require.resolve(`kafkajs/src/protocol/requests/produce/v${v}/request.js`));
const KAFKAJS_NO_COMPRESSION = 0;

/** kafkajs's Encoder, as far as its callers read it: the bytes written so far are buf[0, offset). */
export interface KafkajsEncoder {
  buf: Buffer;
  offset: number;
}

const Encoder = require('kafkajs/src/protocol/encoder.js') as new (initialSize?: number) => KafkajsEncoder;

/** A kafkajs Encoder holding `bytes`, which kafkajs's callers take as an encoded request or request body. */
export function kafkajsEncoderOf(bytes: Buffer): KafkajsEncoder {
  const encoder = new Encoder(0);
  encoder.buf = bytes;
  encoder.offset = bytes.length;
  return encoder;
}

type KafkajsProduceRequest = (args: ProduceRequestBody & { compression?: number }) => { encode(): Promise<KafkajsEncoder> };

const ONE_COPY = Symbol('facestream one-copy Produce request');
let kafkajsOwn: KafkajsProduceRequest | undefined;

/** kafkajs's own Produce v3 request builder, as it was before useOneCopyProduceRequests (for comparison). */
export function kafkajsProduceRequest(): KafkajsProduceRequest {
  return kafkajsOwn ?? (require(KAFKAJS_PRODUCE_V3) as KafkajsProduceRequest);
}

/**
 * Makes kafkajs encode uncompressed Produce requests with encodeProduceRequest; false when too late (a later
 * version's module already holds kafkajs's own: the process produced before), which stays correct, only slower.
 */
export function useOneCopyProduceRequests(): boolean {
  const cached = require.cache[KAFKAJS_PRODUCE_V3];
  if (cached && (cached.exports as { [ONE_COPY]?: true })[ONE_COPY]) return true;
  if (KAFKAJS_PRODUCE_LATER.some((path) => require.cache[path])) return false;
  const own = (kafkajsOwn = require(KAFKAJS_PRODUCE_V3) as KafkajsProduceRequest);
  const oneCopy: KafkajsProduceRequest = (args) => {
    const request = own(args);
    if ((args.compression ?? KAFKAJS_NO_COMPRESSION) !== KAFKAJS_NO_COMPRESSION) return request;
    return {
      ...request,
      async encode() {
        return kafkajsEncoderOf(encodeProduceRequest(args));
      },
    };
  };
  require.cache[KAFKAJS_PRODUCE_V3]!.exports = Object.assign(oneCopy, { [ONE_COPY]: true as const });
  return true;
}
