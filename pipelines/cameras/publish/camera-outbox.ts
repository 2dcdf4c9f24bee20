// The camera outbox (migration 003) in the outbox relay's terms (enrolment/watchlist-sync/outbox-relay.ts), and the
// relay that publishes it on the compacted `cameras` topic: every camera created, changed, (de)activated or
// deleted reaches the ingest workers (docs/KAFKA.md "cameras").
import type { Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import type { KafkaConfig } from '../../runtime/kafka/config.ts';
import { startKafkaTopicPublisher } from '../../../enrolment/watchlist-sync/kafka-publisher.ts';
import { startRelay, type Outbox, type OutboxRelay } from '../../../enrolment/watchlist-sync/outbox-relay.ts';
import type { CameraJob } from '../../../schemas/generated/avro-types.ts';
import type { TopicSerde } from '../../../schemas/serde/topic-serde.ts';
import type { Db } from '../../../stores/postgres/db.ts';
import { CAMERA_OUTBOX_TABLE, cameraJobs, cameraJobsById } from '../../../stores/postgres/repositories/camera-outbox.ts';
import { camerasTopicConfig } from '../kafka-jobs/cameras-topic.ts';
import { cameraKafkaOf } from '../kafka-jobs/kafka-of.ts';
import { cameraJobChanges, cameraJobRecord } from './camera-job-record.ts';

export const CAMERA_OUTBOX: Outbox<CameraJob> = {
  what: 'camera jobs',
  table: CAMERA_OUTBOX_TABLE,
  changes: async (tx, cameraIds) => cameraJobChanges(cameraIds, await cameraJobsById(tx, cameraIds)),
  async held(q, limit, after) {
    const jobs = await cameraJobs(q, { limit, ...(after !== undefined ? { after_id: after } : {}) });
    return { changes: jobs.map((j) => ({ key: String(j.id), value: cameraJobRecord(j) })), ...(jobs.length > 0 ? { last: jobs[jobs.length - 1]!.id } : {}) };
  },
};

export interface CameraJobRelayOptions {
  readonly db: Db;
  readonly kafka: Kafka;
  /** registerAll() already done */
  readonly serde: TopicSerde;
  readonly topicPrefix: string;
  readonly logger: Pick<Logger, 'info' | 'warn' | 'debug'>;
  /** see RelayOptions.pollMs */
  readonly pollMs?: number;
}

/** Publishes camera jobs on `cameras` until stop(); stop() also closes the producer. */
export async function startCameraJobRelay(opts: CameraJobRelayOptions): Promise<OutboxRelay> {
  const publisher = await startKafkaTopicPublisher({ kafka: opts.kafka, serde: opts.serde, topic: 'cameras', topicConfig: camerasTopicConfig(opts.topicPrefix) });
  try {
    const relay = await startRelay({ db: opts.db, outbox: CAMERA_OUTBOX, publisher, logger: opts.logger, ...(opts.pollMs !== undefined ? { pollMs: opts.pollMs } : {}) });
    return {
      flush: () => relay.flush(),
      stop: async () => {
        await relay.stop();
        await publisher.close();
      },
    };
  } catch (err) {
    await publisher.close();
    throw err;
  }
}

/**
 * The relay of a process that has the identity store (`facestream serve`) on a Kafka deployment: camera jobs reach
 * the ingest workers. Undefined without KAFKA_BROKERS (the embedded topology runs its cameras in process).
 */
export async function startCameraJobRelayOf(kafka: KafkaConfig, db: Db, logger: Logger): Promise<OutboxRelay | undefined> {
  const connected = await cameraKafkaOf(kafka, logger, 'camera-jobs');
  return connected && startCameraJobRelay({ db, kafka: connected.client, serde: connected.serde, topicPrefix: kafka.topic_prefix, logger });
}
