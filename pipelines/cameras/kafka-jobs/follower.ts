// An ingest worker's share of the `cameras` topic: one member of the workers' consumer group. It reads each
// partition it is assigned from the beginning (nothing is ever committed, so every assignment starts there: the
// compacted topic holds every camera's latest job) and keeps following it. The group moves partitions when workers
// come, leave or die (after sessionTimeoutMs without a heartbeat); each new assignment is told before its records.
import type { Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import type { CameraJob } from '../../../schemas/generated/avro-types.ts';
import type { TopicSerde } from '../../../schemas/serde/topic-serde.ts';
import { camerasTopicName, ensureCamerasTopic } from './cameras-topic.ts';

export interface CameraJobsFollowerOptions {
  readonly kafka: Kafka;
  /** registerAll() already done */
  readonly serde: TopicSerde;
  readonly topicPrefix: string;
  /** the workers' consumer group: every worker of one deployment shares it */
  readonly groupId: string;
  readonly logger: Pick<Logger, 'info' | 'warn'>;
  /** how long a silent worker keeps its cameras before the group gives them to others */
  readonly sessionTimeoutMs: number;
  /** the partitions of `cameras` this worker holds now (after every rebalance, before their records) */
  readonly onAssigned: (partitions: readonly number[]) => void;
  /** the records of a batch of an assigned partition, in order: each camera's job, or null (tombstone) */
  readonly onJobs: (partition: number, records: ReadonlyArray<{ readonly cameraId: string; readonly job: CameraJob | null }>) => void;
  /** the consumer stopped for good (kafkajs gave up): the worker cannot follow its jobs any more */
  readonly onCrash: (err: Error) => void;
}

export interface CameraJobsFollower {
  /** Leaves the group (its partitions go to the other workers). Safe to call twice. */
  stop(): Promise<void>;
}

export async function followCameraJobs(opts: CameraJobsFollowerOptions): Promise<CameraJobsFollower> {
  const topic = camerasTopicName(opts.topicPrefix);
  const admin = opts.kafka.admin();
  await admin.connect();
  try {
    await ensureCamerasTopic(admin, opts.topicPrefix);
  } finally {
    await admin.disconnect();
  }
  const consumer = opts.kafka.consumer({
    groupId: opts.groupId,
    allowAutoTopicCreation: false,
    sessionTimeout: opts.sessionTimeoutMs,
    heartbeatInterval: Math.max(100, Math.floor(opts.sessionTimeoutMs / 10)),
    // a rebalance waits for every member to rejoin: a worker that left must not hold the others for the default minute
    rebalanceTimeout: Math.max(opts.sessionTimeoutMs, 10_000),
    maxWaitTimeInMs: 500,
  });
  consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
    const partitions = [...(payload.memberAssignment[topic] ?? [])].sort((a, b) => a - b);
    opts.logger.info({ topic, partitions }, 'camera partitions assigned');
    opts.onAssigned(partitions);
  });
  consumer.on(consumer.events.CRASH, (e) => {
    opts.logger.warn({ topic, err: e.payload.error.message, restart: e.payload.restart }, 'cameras: follower crashed');
    if (!e.payload.restart) opts.onCrash(e.payload.error);
  });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    autoCommit: false,
    eachBatch: async ({ batch, heartbeat }) => {
      const records: Array<{ cameraId: string; job: CameraJob | null }> = [];
      for (const m of batch.messages) {
        try {
          const cameraId = await opts.serde.decodeKey('cameras', m.key ?? Buffer.alloc(0));
          records.push({ cameraId, job: m.value === null ? null : await opts.serde.decodeValue('cameras', m.value) });
        } catch (err) {
          // one unreadable job must not keep this worker's other cameras from running
          opts.logger.warn({ topic, partition: batch.partition, offset: m.offset, err: (err as Error).message }, 'cameras: record skipped');
        }
      }
      opts.onJobs(batch.partition, records);
      await heartbeat();
    },
  });
  let stopping: Promise<void> | undefined;
  return {
    stop(): Promise<void> {
      stopping ??= consumer.disconnect();
      return stopping;
    },
  };
}
