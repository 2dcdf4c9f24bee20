import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { frameRequest, groupMessagesPerPartition, KAFKAJS_FRAMING, KAFKAJS_GROUPING, kafkajsOwn } from './kafkajs-preload.ts';

const require = createRequire(import.meta.url);
const root = fileURLToPath(new URL('../../../', import.meta.url));
/** kafkajs's own module: kept aside when this test's process preloaded, else still in its place */
const theirs = <T,>(path: string) => (kafkajsOwn.get(path) ?? require(path)) as T;

describe('kafkajs modules replaced before kafkajs loads', () => {
  it("groups a send's messages by partition as kafkajs does, in order", () => {
    const group = theirs<typeof groupMessagesPerPartition>(KAFKAJS_GROUPING);
    const partitionMetadata = [0, 1, 2, 3].map((partitionId) => ({ partitionId }));
    const partitioner = ({ message }: { message: { n: number } }) => (message.n * 7) % 3 === 0 ? 3 : message.n % 2;
    for (const count of [0, 1, 5, 300]) {
      const messages = Array.from({ length: count }, (_, n) => ({ n }));
      const args = { topic: 't', partitionMetadata, messages, partitioner };
      expect(groupMessagesPerPartition(args)).toEqual(group(args));
      expect(Object.keys(groupMessagesPerPartition(args))).toEqual(Object.keys(group(args)));
    }
    expect(groupMessagesPerPartition({ topic: 't', partitionMetadata: [], messages: [{ n: 1 }], partitioner })).toEqual({});
  });

  it('frames a request with the bytes kafkajs writes', async () => {
    const frame = theirs<typeof frameRequest>(KAFKAJS_FRAMING);
    const Encoder = require('kafkajs/src/protocol/encoder.js') as new () => { writeBytes(b: Buffer): unknown; buf: Buffer; offset: number };
    for (const [clientId, size] of [['facestream', 1000], ['', 0], ['камера', 70_000]] as const) {
      const encode = async () => {
        const e = new Encoder();
        e.writeBytes(Buffer.alloc(size, 5));
        return e;
      };
      const args = { correlationId: 41, clientId, request: { apiKey: 0, apiVersion: 7, encode } };
      const ours = await frameRequest(args);
      const kafkajs = (await frame(args)) as unknown as { buffer: Buffer };
      expect((ours as unknown as { buffer: Buffer }).buffer).toEqual(kafkajs.buffer);
    }
  });

  it("is in place in a process that loads kafkajs through facestream's client", () => {
    const dir = mkdtempSync(join(tmpdir(), 'preload-'));
    const script = join(dir, 'check.mts');
    writeFileSync(
      script,
      [
        `import { createRequire } from 'node:module';`,
        `const { createKafkaClient } = await import(${JSON.stringify(pathToFileURL(join(root, 'cli/kafka-client.ts')).href)});`,
        `const { preloaded, groupMessagesPerPartition } = await import(${JSON.stringify(pathToFileURL(join(root, 'pipelines/runtime/kafka/kafkajs-preload.ts')).href)});`,
        `const require = createRequire(${JSON.stringify(join(root, 'package.json'))});`,
        `void createKafkaClient;`,
        `console.log(JSON.stringify({ preloaded: preloaded(), grouping: require('kafkajs/src/producer/groupMessagesPerPartition.js') === groupMessagesPerPartition }));`,
      ].join('\n'),
    );
    const out = execFileSync(process.execPath, [join(root, 'bin/run-ts.js'), script], { cwd: root, encoding: 'utf8' });
    expect(JSON.parse(out.trim().split('\n').pop()!)).toEqual({ preloaded: true, grouping: true });
  });
});
