// What serve knows of cameras run by ingest workers on Kafka (docs/KAFKA.md "Ingest workers"): it follows the
// `camera-status` topic, from its end, and keeps each camera's latest record as its health in the API (GET /cameras
// `health`); and it writes the records into ClickHouse camera_stats (GET /cameras/{id}/statistics) in the consumer
// group `<prefix>facestream-camera-stats`, whose committed offsets carry the writing over serve's restarts (several
// serve processes share the writing; a record written twice replaces itself). A camera whose worker has gone quiet
// is shown red once its last record is older than `staleAfterMs`, until a worker reports it again.
import type { ClickHouseClient } from '@clickhouse/client';
import type { Consumer, Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import { followCompactedTopic, type DossiersFollower } from '../../enrolment/watchlist-sync/kafka-follower.ts';
import type { CameraStatus } from '../../schemas/generated/avro-types.ts';
import type { TopicSerde } from '../../schemas/serde/topic-serde.ts';
import { kafkaTopic } from '../../schemas/topics.ts';
import { writeCameraStatuses } from '../../stores/clickhouse/camera-stats.ts';
import { kafkaNames } from '../runtime/kafka/names.ts';
import type { KafkaConfig } from '../runtime/kafka/config.ts';
import { systemClock, type Clock } from '../runtime/stage.ts';
import { cameraKafkaOf } from './kafka-jobs/kafka-of.ts';
import { ensureCameraStatusTopic } from './kafka-jobs/worker-status.ts';
import type { CameraRuntime } from './manager.ts';
import type { CameraHealth } from './stats.ts';
import { healthOfStatus } from './status.ts';

export interface CameraStatusFollowerOptions {
  readonly kafka: Kafka;
  /** registerAll() already done */
  readonly serde: TopicSerde;
  readonly topicPrefix: string;
  readonly clickhouse: ClickHouseClient;
  readonly logger: Pick<Logger, 'info' | 'warn'>;
  readonly clock: Clock;
  /** a running camera with no record for this long is shown red (its worker is gone) */
  readonly staleAfterMs: number;
}

export interface CameraStatusFollower {
  /** the health of the cameras the workers report; changed() is nothing here (the camera jobs relay publishes) */
  readonly runtime: CameraRuntime;
  stop(): Promise<void>;
}

/** The latest record as health now: a record of a camera still at work that is too old means its worker is gone. */
export function healthNow(s: CameraStatus, now: number, staleAfterMs: number): CameraHealth {
  const health = healthOfStatus(s);
  const atWork = s.state === 'starting' || s.state === 'running' || s.state === 'retrying';
  if (!atWork || now - s.ts <= staleAfterMs) return health;
  return {
    ...health,
    status: 'red',
    state: 'retrying',
    since: s.ts + staleAfterMs,
    processing_fps: 0,
    last_error: `no status from ingest worker ${s.worker} since ${new Date(s.ts).toISOString()}`,
    last_error_at: s.ts + staleAfterMs,
  };
}

export async function followCameraStatuses(opts: CameraStatusFollowerOptions): Promise<CameraStatusFollower> {
  const latest = new Map<string, CameraStatus>();
  const follower: DossiersFollower = await followCompactedTopic({
    kafka: opts.kafka,
    serde: opts.serde,
    topicPrefix: opts.topicPrefix,
    logger: opts.logger,
    topic: 'camera-status',
    from: 'end',
    ensureTopic: (admin) => ensureCameraStatusTopic(admin, opts.topicPrefix),
    onChange: ({ key, value }) => {
      // a worker's records of one camera are in order; after a move, the newer worker's are newer
      if (value !== null && value.ts >= (latest.get(key)?.ts ?? 0)) latest.set(key, value);
    },
  });
  let writer: Consumer | undefined;
  try {
    writer = await startStatsWriter(opts);
  } catch (err) {
    await follower.stop();
    throw err;
  }
  return {
    runtime: {
      changed: async () => undefined,
      health(id) {
        const s = latest.get(String(id));
        return s && healthNow(s, opts.clock.now(), opts.staleAfterMs);
      },
    },
    async stop() {
      await writer?.disconnect();
      await follower.stop();
    },
  };
}

/** camera-status → camera_stats, a batch at a time; a failed write is read again (kafkajs restarts the batch). */
async function startStatsWriter(opts: CameraStatusFollowerOptions): Promise<Consumer> {
  const topic = kafkaTopic('camera-status', opts.topicPrefix);
  const consumer = opts.kafka.consumer({ groupId: kafkaNames(opts.topicPrefix).group('camera-stats'), allowAutoTopicCreation: false, maxWaitTimeInMs: 500 });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachBatch: async ({ batch, heartbeat }) => {
        const statuses: CameraStatus[] = [];
        for (const m of batch.messages) {
          if (m.value === null) continue;
          try {
            statuses.push(await opts.serde.decodeValue('camera-status', m.value));
          } catch (err) {
            opts.logger.warn({ topic, partition: batch.partition, offset: m.offset, err: (err as Error).message }, 'camera-status: record skipped');
          }
        }
        await writeCameraStatuses(opts.clickhouse, statuses);
        await heartbeat();
      },
    });
  } catch (err) {
    await consumer.disconnect();
    throw err;
  }
  return consumer;
}

/** The worker reports every 5 s, and a dead worker's cameras move to another after its 10 s session timeout. */
const STALE_AFTER_MS = 20_000;

/** serve's follower with Kafka configured (undefined without: serve runs the cameras itself). */
export async function followCameraStatusesOf(kafka: KafkaConfig, clickhouse: ClickHouseClient, logger: Logger): Promise<CameraStatusFollower | undefined> {
  const connected = await cameraKafkaOf(kafka, logger, 'camera-status');
  return connected && followCameraStatuses({ kafka: connected.client, serde: connected.serde, topicPrefix: kafka.topic_prefix, clickhouse, logger, clock: systemClock, staleAfterMs: STALE_AFTER_MS });
}
