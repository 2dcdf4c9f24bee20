// Hands a batch's outputs to Kafka and records the input progress that produced them. Exactly-once: one
// transaction holds the outputs, the stage's state records and the consumer offsets, so after a crash either
// all of them are visible (to read_committed consumers) or none is. At-least-once: outputs are acknowledged
// first, offsets committed after, so a crash in between repeats work but loses none.
import type { IHeaders, Producer, TopicOffsets } from 'kafkajs';

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
 * default; sends are cut so that no request carries more than this, whatever the partitions.
 */
export const MAX_SEND_BYTES = 900_000;

const sizeOf = (m: OutgoingMessage) => (m.key?.length ?? 0) + (m.value?.length ?? 0) + 64;

/** `messages` in order, cut into runs of at most `maxBytes` (a larger record goes alone). */
export function bySize(messages: readonly OutgoingMessage[], maxBytes = MAX_SEND_BYTES): OutgoingMessage[][] {
  const runs: OutgoingMessage[][] = [];
  let run: OutgoingMessage[] = [];
  let bytes = 0;
  for (const m of messages) {
    if (run.length > 0 && bytes + sizeOf(m) > maxBytes) {
      runs.push(run);
      run = [];
      bytes = 0;
    }
    run.push(m);
    bytes += sizeOf(m);
  }
  if (run.length > 0) runs.push(run);
  return runs;
}

function byTopic(messages: readonly OutgoingMessage[]) {
  const topics = new Map<string, Array<{ key: Buffer | null; value: Buffer | null; headers?: IHeaders; partition?: number }>>();
  for (const m of messages) {
    const list = topics.get(m.topic) ?? [];
    list.push({ key: m.key, value: m.value, ...(m.headers ? { headers: m.headers } : {}), ...(m.partition !== undefined ? { partition: m.partition } : {}) });
    topics.set(m.topic, list);
  }
  return [...topics].map(([topic, msgs]) => ({ topic, messages: msgs }));
}

export function transactionalCommitter(producer: Producer): Committer {
  return {
    async commit(messages, progress) {
      if (messages.length === 0 && !progress) return;
      const txn = await producer.transaction();
      try {
        for (const run of bySize(messages)) await txn.sendBatch({ topicMessages: byTopic(run), acks: -1 });
        if (progress) await txn.sendOffsets({ consumerGroupId: progress.groupId, topics: progress.topics });
        await txn.commit();
      } catch (err) {
        await txn.abort().catch(() => undefined);
        throw err;
      }
    },
  };
}

export function atLeastOnceCommitter(producer: Producer, commitOffsets: (progress: InputProgress) => Promise<void>): Committer {
  return {
    async commit(messages, progress) {
      for (const run of bySize(messages)) await producer.sendBatch({ topicMessages: byTopic(run), acks: -1 });
      if (progress) await commitOffsets(progress);
    },
  };
}
