// Two kafkajs modules that its other modules take when kafkajs loads, replaced in the CommonJS cache by ones that
// give the same result with less copying. Importing this module does it, so it must come before the process's
// first import of kafkajs: bin/facestream.js and cli/kafka-client.ts import it first. Later, it is too late
// (preloaded() says so) — still correct, only slower. Measured on the match process (docs/KAFKA.md):
// - grouping a send's messages by partition: kafkajs appends each message with `[...current, message]`, quadratic
//   in the messages of a partition (a 900 KB send of match's events, all for one partition, is ~250) — 13 % of
//   the process's allocations;
// - framing a request: kafkajs copies the request body twice (into the header's encoder, then into the size's),
//   ~1 MB of Produce body each time; here it is copied once, behind its header, into one buffer sized beforehand.
import { createRequire } from 'node:module';
import { kafkajsEncoderOf, type KafkajsEncoder } from './produce-request.ts';

const require = createRequire(import.meta.url);
const GROUPING = require.resolve('kafkajs/src/producer/groupMessagesPerPartition.js');
const FRAMING = require.resolve('kafkajs/src/protocol/request.js');
/** the modules that take those when they load */
const TAKERS = [require.resolve('kafkajs/src/producer/sendMessages.js'), require.resolve('kafkajs/src/network/connection.js')];

interface GroupingArgs<M> {
  readonly topic: string;
  readonly partitionMetadata: readonly unknown[];
  readonly messages: readonly M[];
  readonly partitioner: (args: { topic: string; partitionMetadata: readonly unknown[]; message: M }) => number;
}

/** kafkajs's groupMessagesPerPartition, linear: partition → its messages in order. */
export function groupMessagesPerPartition<M>({ topic, partitionMetadata, messages, partitioner }: GroupingArgs<M>): Record<number, M[]> {
  const result: Record<number, M[]> = {};
  if (partitionMetadata.length === 0) return result;
  for (const message of messages) (result[partitioner({ topic, partitionMetadata, message })] ??= []).push(message);
  return result;
}

interface RequestArgs {
  readonly correlationId: number;
  readonly clientId: string;
  readonly request: { readonly apiKey: number; readonly apiVersion: number; encode(): Promise<KafkajsEncoder> };
}

/** kafkajs's request framing (size, api key and version, correlation id, client id, body) with one copy of the body. */
export async function frameRequest({ correlationId, clientId, request: { apiKey, apiVersion, encode } }: RequestArgs): Promise<KafkajsEncoder> {
  const payload = await encode();
  const client = Buffer.from(clientId, 'utf8');
  const header = 2 + 2 + 4 + 2 + client.length;
  const out = Buffer.allocUnsafe(4 + header + payload.offset);
  let at = out.writeInt32BE(header + payload.offset, 0);
  at = out.writeInt16BE(apiKey, at);
  at = out.writeInt16BE(apiVersion, at);
  at = out.writeInt32BE(correlationId, at);
  at = out.writeInt16BE(client.length, at);
  at += client.copy(out, at);
  payload.buf.copy(out, at, 0, payload.offset);
  return kafkajsEncoderOf(out);
}

const REPLACEMENTS: ReadonlyArray<readonly [string, unknown]> = [
  [GROUPING, groupMessagesPerPartition],
  [FRAMING, frameRequest],
];

/** kafkajs's own module, as it was before the replacement (for comparison in tests). */
export const kafkajsOwn = new Map<string, unknown>();

function preload(): boolean {
  if (REPLACEMENTS.every(([path, ours]) => require.cache[path]?.exports === ours)) return true;
  if (TAKERS.some((path) => require.cache[path])) return false;
  for (const [path, ours] of REPLACEMENTS) {
    kafkajsOwn.set(path, require(path));
    require.cache[path]!.exports = ours;
  }
  return true;
}

const done = preload();

/** Whether kafkajs, as loaded in this process, uses the replacements (false: it was loaded before this module). */
export function preloaded(): boolean {
  return done && REPLACEMENTS.every(([path, ours]) => require.cache[path]?.exports === ours);
}

export const KAFKAJS_GROUPING = GROUPING;
export const KAFKAJS_FRAMING = FRAMING;
