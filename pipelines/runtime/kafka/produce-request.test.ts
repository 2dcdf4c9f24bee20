import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { encodeProduceRequest, kafkajsProduceRequest, useOneCopyProduceRequests, type ProduceMessage, type ProduceRequestBody } from './produce-request.ts';

const require = createRequire(import.meta.url);
const NOW = 1_796_000_000_123;

/** What kafkajs's own encoder writes for `body` (its clock stopped at NOW, as encodeProduceRequest's is given). */
async function kafkajsBytes(body: ProduceRequestBody): Promise<Buffer> {
  vi.useFakeTimers({ now: NOW, toFake: ['Date'] });
  const encoder = await kafkajsProduceRequest()(body).encode();
  return encoder.buf.subarray(0, encoder.offset);
}

const message = (i: number, extra: Partial<ProduceMessage> = {}): ProduceMessage => ({
  key: Buffer.from(`camera-${i % 7}`),
  value: randomBytes((i * 977) % 5000),
  headers: { 'fs-trace': Buffer.from(`t${i}`) },
  ...extra,
});

describe('Produce request in one buffer', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('writes the bytes kafkajs writes: transactional, several topics and partitions, every field shape', async () => {
    const body: ProduceRequestBody = {
      transactionalId: 'facestream.match.0',
      acks: -1,
      timeout: 30_000,
      producerId: 4_294_967_301, // above 32 bits
      producerEpoch: 3,
      topicData: [
        {
          topic: 'fs.matches',
          partitions: [
            { partition: 0, firstSequence: 1200, messages: Array.from({ length: 300 }, (_, i) => message(i)) },
            {
              partition: 3,
              firstSequence: 0,
              messages: [
                message(1, { key: null, value: null, headers: { 'fs-control': 'end-of-stream' } }), // a marker: no key, no value
                message(2, { key: 'a string key', value: 'a string value ü', headers: {} }),
                message(3, { headers: { many: [Buffer.from('x'), 'y'], empty: Buffer.alloc(0) } }),
                message(4, { headers: undefined }),
              ],
            },
          ],
        },
        { topic: 'fs.dead-letter', partitions: [{ partition: 1, firstSequence: 7, messages: [message(5)] }] },
      ],
    };
    expect(encodeProduceRequest(body, NOW)).toEqual(await kafkajsBytes(body));
  });

  it('writes the bytes kafkajs writes: not transactional, own timestamps (deltas and the batch range)', async () => {
    const stamped = (i: number, t: number) => message(i, { timestamp: t });
    const body: ProduceRequestBody = {
      acks: 1,
      timeout: 5_000,
      topicData: [{ topic: 't', partitions: [{ partition: 2, messages: [stamped(0, NOW - 5000), stamped(1, NOW + 70_000_000_000), stamped(2, NOW - 9)] }] }],
    };
    expect(encodeProduceRequest(body, NOW)).toEqual(await kafkajsBytes(body));
  });

  it('replaces kafkajs\'s encoder for uncompressed batches only, once', async () => {
    expect(useOneCopyProduceRequests()).toBe(true);
    expect(useOneCopyProduceRequests()).toBe(true);
    const body: ProduceRequestBody = { acks: -1, timeout: 1000, topicData: [{ topic: 't', partitions: [{ partition: 0, messages: [message(1)] }] }] };
    vi.useFakeTimers({ now: NOW, toFake: ['Date'] });
    const inKafkajs = require('kafkajs/src/protocol/requests/produce/v7/request.js') as (b: ProduceRequestBody & { compression?: number }) => {
      apiVersion: number;
      encode(): Promise<{ buf: Buffer; offset: number }>;
    };
    const request = inKafkajs(body);
    expect(request.apiVersion).toBe(7);
    const encoder = await request.encode();
    expect(encoder.buf.subarray(0, encoder.offset)).toEqual(encodeProduceRequest(body, NOW));
    // gzip: kafkajs's own encoder (its compressed layout differs: records are compressed as one blob)
    const gzip = await inKafkajs({ ...body, compression: 1 }).encode();
    expect(gzip.buf.subarray(0, gzip.offset)).not.toEqual(encodeProduceRequest(body, NOW));
  });
});
