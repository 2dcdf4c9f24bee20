// What each match process runs on Kafka: it reads the whole compacted `dossiers` topic from the beginning, every
// partition, in a consumer group of its own (every matcher must see every face, not a share of them, and nothing is
// committed: the next start reads from the beginning again). `ready` resolves once every partition has been read
// up to the end it had when the follower started, so the stage takes embeddings only with the full watch lists;
// later records are handed on as they come. followCompactedTopic is the same for any compacted topic (stages follow
// `cameras` for per-camera settings, pipelines/cameras/settings-view.ts), or, from its end, for a data topic (a camera's
// ingest process follows `episodes` to record clips, pipelines/clips/kafka-clips.ts).
import { randomUUID } from 'node:crypto';
import type { Admin, Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import type { DossierFaceChange } from '../../pipelines/match/dossier-face-change.ts';
import { controlOf } from '../../pipelines/runtime/kafka/control.ts';
import { isRetryable } from '../../pipelines/runtime/kafka/errors.ts';
import type { TopicSerde } from '../../schemas/serde/topic-serde.ts';
import type { TopicValues } from '../../schemas/generated/avro-types.ts';
import { kafkaTopic } from '../../schemas/topics.ts';
import { ensureDossiersTopic } from './dossiers-topic.ts';

export interface DossiersFollowerOptions {
  readonly kafka: Kafka;
  /** registerAll() already done */
  readonly serde: TopicSerde;
  readonly topicPrefix: string;
  readonly logger: Pick<Logger, 'info' | 'warn'>;
  /** each record, in order within its partition (a face's records share one) */
  readonly onChange: (change: DossierFaceChange) => void;
}

/** A compacted topic's record: the key's latest value, or null (a tombstone; on a data topic, a control record). */
export interface CompactedChange<T extends FollowedTopic> {
  readonly key: string;
  readonly value: TopicValues[T] | null;
  readonly partition: number;
  /** a control record's kind (pipelines/runtime/kafka/control.ts), null for data */
  readonly control: string | null;
}
type FollowedTopic = 'dossiers' | 'cameras' | 'episodes' | 'camera-status';

export interface CompactedTopicFollowerOptions<T extends FollowedTopic> extends Omit<DossiersFollowerOptions, 'onChange'> {
  readonly topic: T;
  /** 'end': only the records published after the follower started (ready at once); default 'beginning' */
  readonly from?: 'beginning' | 'end';
  /** creates the topic unless it exists: a follower may start before anything was published */
  readonly ensureTopic: (admin: Admin) => Promise<void>;
  readonly onChange: (change: CompactedChange<T>) => void;
}

export interface DossiersFollower {
  /** Resolves with the records read once the topic is read to the end it had at start, and its partition count. */
  readonly ready: Promise<{ readonly records: number; readonly partitions: number }>;
  /** Leaves the topic. Safe to call twice. */
  stop(): Promise<void>;
}

export function followDossiersTopic(opts: DossiersFollowerOptions): Promise<DossiersFollower> {
  return followCompactedTopic({ ...opts, topic: 'dossiers', ensureTopic: (admin) => ensureDossiersTopic(admin, opts.topicPrefix) });
}

export async function followCompactedTopic<T extends FollowedTopic>(opts: CompactedTopicFollowerOptions<T>): Promise<DossiersFollower> {
  const topic = kafkaTopic(opts.topic, opts.topicPrefix);
  const admin = opts.kafka.admin();
  await admin.connect();
  let offsets: Awaited<ReturnType<typeof endOffsets>>;
  try {
    await opts.ensureTopic(admin);
    offsets = await endOffsets(admin, topic);
  } finally {
    await admin.disconnect();
  }
  const consumer = opts.kafka.consumer({ groupId: `${topic}-follower-${randomUUID()}`, allowAutoTopicCreation: false, maxWaitTimeInMs: 500 });
  const fromEnd = opts.from === 'end';
  const ends = new Map(fromEnd ? [] : offsets.filter((p) => BigInt(p.low) < BigInt(p.high)).map((p) => [p.partition, BigInt(p.high)]));
  let records = 0;
  let markReady!: () => void;
  let failReady!: (err: unknown) => void;
  const ready = new Promise<{ records: number; partitions: number }>((resolve, reject) => {
    markReady = () => resolve({ records, partitions: offsets.length });
    failReady = reject;
  });
  const caughtUp = () => {
    if (ends.size === 0) markReady();
  };
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: !fromEnd });
  consumer.on(consumer.events.CRASH, (e) => {
    // kafkajs restarts the consumer after a retriable crash (e.payload.restart); told either way, since a follower
    // that stopped would leave this matcher's watch lists behind
    opts.logger.warn({ topic, err: e.payload.error.message, restart: e.payload.restart }, `${opts.topic}: follower crashed`);
    if (!e.payload.restart) failReady(e.payload.error);
  });
  await consumer.run({
    autoCommit: false,
    eachBatch: async ({ batch, heartbeat }) => {
      for (const m of batch.messages) {
        try {
          const key = (await opts.serde.decodeKey(opts.topic, m.key ?? Buffer.alloc(0))) as string;
          const value = m.value === null ? null : await opts.serde.decodeValue(opts.topic, m.value);
          opts.onChange({ key, value, partition: batch.partition, control: controlOf(m.headers) });
        } catch (err) {
          // one unreadable record must not keep every other face from this matcher
          opts.logger.warn({ topic, partition: batch.partition, offset: m.offset, err: (err as Error).message }, `${opts.topic}: record skipped`);
        }
        records++;
      }
      const end = ends.get(batch.partition);
      if (end !== undefined && BigInt(batch.lastOffset()) + 1n >= end) {
        ends.delete(batch.partition);
        caughtUp();
      }
      await heartbeat();
    },
  });
  // from the ends read above, not the group's first fetch: nothing published after the start is missed
  if (fromEnd) for (const p of offsets) consumer.seek({ topic, partition: p.partition, offset: p.high });
  caughtUp();
  let stopping: Promise<void> | undefined;
  return {
    ready,
    stop(): Promise<void> {
      stopping ??= consumer.disconnect();
      return stopping;
    },
  };
}

/** The topic's offsets; a topic just created may not have its leaders known to every broker yet (NOT_LEADER…). */
async function endOffsets(admin: Admin, topic: string): ReturnType<Admin['fetchTopicOffsets']> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await admin.fetchTopicOffsets(topic);
    } catch (err) {
      if (attempt >= 20 || !isRetryable(err)) throw err;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}
