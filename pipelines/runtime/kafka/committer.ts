// Hands a batch's outputs to Kafka and records the input progress that produced them. Exactly-once: one
// transaction holds the outputs, the stage's state records and the consumer offsets, so after a crash either
// all of them are visible (to read_committed consumers) or none is. At-least-once: outputs are acknowledged
// first, offsets committed after, so a crash in between repeats work but loses none.
import type { IHeaders, Producer, TopicOffsets } from 'kafkajs';
import { partitionOf } from './partitioner.ts';

export interface OutgoingMessage {
  readonly topic: string;
  /** set for control records sent to a given partition; else the key decides */
  readonly partition?: number;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers?: IHeaders;
}

export interface InputProgress {
  readonly groupId: string;
  readonly topics: TopicOffsets[];
}

export interface Committer {
  commit(messages: readonly OutgoingMessage[], progress?: InputProgress): Promise<void>;
}

/**
 * The broker limits a record batch (all records of one partition in one request) to message.max.bytes, 1 MB by
 * default; sends are cut so that no partition gets more than this in one request.
 */
export const MAX_SEND_BYTES = 900_000;

/** How many partitions a topic has, when the committer's user knows (else its records count as one partition's). */
export type PartitionCount = (topic: string) => number | undefined;

const sizeOf = (m: OutgoingMessage) => (m.key?.length ?? 0) + (m.value?.length ?? 0) + 64;

interface TopicLoad {
  /** bytes per partition (one slot when the topic's partitions are unknown) */
  readonly partitions: number[];
  /** bytes of keyless records, which may land in any partition */
  anywhere: number;
}

/** The most bytes a partition of the topic gets in this send with `size` more in `slot` (undefined: any partition). */
function loadWith(load: TopicLoad, slot: number | undefined, size: number): number {
  return (slot === undefined ? Math.max(...load.partitions) : (load.partitions[slot] ?? 0)) + load.anywhere + size;
}

/**
 * `messages` in order, cut into sends in which no partition gets more than `maxBytes` (a larger record goes alone).
 * A keyed record of a topic whose partitions are known is given the partition Kafka's partitioner would choose
 * (partitioner.ts), so a send carries up to the limit for every partition rather than for all together: records spread
 * over 4 partitions go in a quarter of the round trips (a chunk of one camera-keyed partition whose outputs are keyed
 * by camera too goes to one partition, and gains nothing). A keyless record may land anywhere, so it counts against
 * every partition of its topic.
 */
export function bySize(messages: readonly OutgoingMessage[], partitionsOf: PartitionCount = () => undefined, maxBytes = MAX_SEND_BYTES): OutgoingMessage[][] {
  const runs: OutgoingMessage[][] = [];
  let run: OutgoingMessage[] = [];
  let loads = new Map<string, TopicLoad>();
  for (const original of messages) {
    const n = partitionsOf(original.topic);
    const m: OutgoingMessage =
      original.partition === undefined && original.key !== null && n !== undefined
        ? { topic: original.topic, key: original.key, value: original.value, headers: original.headers, partition: partitionOf(original.key, n) }
        : original;
    const size = sizeOf(m);
    const slot = n === undefined ? 0 : m.partition;
    let load = loads.get(m.topic);
    if (run.length > 0 && load && loadWith(load, slot, size) > maxBytes) {
      runs.push(run);
      run = [];
      loads = new Map();
      load = undefined;
    }
    if (!load) {
      load = { partitions: new Array<number>(n ?? 1).fill(0), anywhere: 0 };
      loads.set(m.topic, load);
    }
    if (slot === undefined) load.anywhere += size;
    else load.partitions[slot] = (load.partitions[slot] ?? 0) + size;
    run.push(m);
  }
  if (run.length > 0) runs.push(run);
  return runs;
}

/** A send's records by topic, as kafkajs takes them (it reads key, value, headers and partition, and ignores topic). */
function byTopic(messages: readonly OutgoingMessage[]): Array<{ topic: string; messages: OutgoingMessage[] }> {
  const topics = new Map<string, OutgoingMessage[]>();
  for (const m of messages) {
    const list = topics.get(m.topic);
    if (list) list.push(m);
    else topics.set(m.topic, [m]);
  }
  return Array.from(topics, ([topic, list]) => ({ topic, messages: list }));
}

export function transactionalCommitter(producer: Producer, partitionsOf?: PartitionCount): Committer {
  return {
    async commit(messages, progress) {
      if (messages.length === 0 && !progress) return;
      const txn = await producer.transaction();
      try {
        for (const run of bySize(messages, partitionsOf)) await txn.sendBatch({ topicMessages: byTopic(run), acks: -1 });
        if (progress) await txn.sendOffsets({ consumerGroupId: progress.groupId, topics: progress.topics });
        await txn.commit();
      } catch (err) {
        await txn.abort().catch(() => undefined);
        throw err;
      }
    },
  };
}

export function atLeastOnceCommitter(producer: Producer, commitOffsets: (progress: InputProgress) => Promise<void>, partitionsOf?: PartitionCount): Committer {
  return {
    async commit(messages, progress) {
      for (const run of bySize(messages, partitionsOf)) await producer.sendBatch({ topicMessages: byTopic(run), acks: -1 });
      if (progress) await commitOffsets(progress);
    },
  };
}
