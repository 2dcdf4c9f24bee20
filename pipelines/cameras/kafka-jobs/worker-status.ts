// What an ingest worker knows of its cameras' health, on the `camera-status` topic (CameraStatus, keyed by camera):
// the life of each camera's child process, read through B's CameraStats (stats.ts) with FindFace's colours. A child
// spawned is `starting`; one still up after the source's stall timeout (ingest.timeout_s: a source that delivers
// nothing for that long ends its child) is `running`; one that failed waits to restart (`retrying`, red); a file
// read to its end is `finished`; a camera disabled is reported grey once and forgotten. The frame and face counters
// are counted inside the child, not here: they stay 0 in these records (jobStarts counts every start).
import type { Kafka, Producer } from 'kafkajs';
import type { Logger } from 'pino';
import type { ChildExit, ChildStarted, Supervisor } from '../../../cli/supervisor.ts';
import { ensureTopics } from '../../runtime/kafka/topics.ts';
import { PRODUCER_DEFAULTS } from '../../runtime/kafka/producer-defaults.ts';
import type { Clock } from '../../runtime/stage.ts';
import type { CameraStatus } from '../../../schemas/generated/avro-types.ts';
import type { TopicSerde } from '../../../schemas/serde/topic-serde.ts';
import { kafkaTopic } from '../../../schemas/topics.ts';
import { CameraStats } from '../stats.ts';
import { startStatusReporter, type StatusReporter } from '../status.ts';

export interface WorkerStatusOptions {
  readonly kafka: Kafka;
  /** registerAll() already done */
  readonly serde: TopicSerde;
  readonly topicPrefix: string;
  /** names this worker in the records */
  readonly worker: string;
  readonly supervisor: Supervisor;
  /** the camera of a child, from its name (undefined: not a camera's child) */
  readonly cameraOf: (childName: string) => string | undefined;
  /** a child up this long is running (ingest.timeout_s) */
  readonly runningAfterMs: number;
  readonly everyMs: number;
  readonly clock: Clock;
  readonly logger: Pick<Logger, 'warn'>;
}

export interface WorkerStatus {
  /** the camera was disabled: one grey record, then nothing more from this worker */
  disabled(camera: string): void;
  /** the camera left this worker (deleted, or its partition moved): nothing more from this worker */
  forget(camera: string): void;
  /** writes the last records and closes the producer */
  stop(): Promise<void>;
}

/** Topic settings when facestream creates `camera-status`: a time series read into ClickHouse, kept a day. */
const RETENTION_MS = 86_400_000;

export async function startWorkerStatus(opts: WorkerStatusOptions): Promise<WorkerStatus> {
  const topic = kafkaTopic('camera-status', opts.topicPrefix);
  const admin = opts.kafka.admin();
  await admin.connect();
  try {
    await ensureTopics(admin, [{ topic, numPartitions: 4, replicationFactor: -1, configEntries: [{ name: 'retention.ms', value: String(RETENTION_MS) }] }]);
  } finally {
    await admin.disconnect();
  }
  const producer: Producer = opts.kafka.producer({ ...PRODUCER_DEFAULTS, allowAutoTopicCreation: false });
  await producer.connect();
  const stats = new Map<string, CameraStats>();
  const runningTimers = new Map<string, NodeJS.Timeout>();
  const statsOf = (camera: string) => {
    let s = stats.get(camera);
    if (!s) stats.set(camera, (s = new CameraStats(() => opts.clock.now())));
    return s;
  };
  const reporter: StatusReporter = startStatusReporter({
    healths: () => new Map([...stats].map(([camera, s]) => [camera, s.health()])),
    write: async (statuses: readonly CameraStatus[]) => {
      if (statuses.length === 0) return;
      await producer.send({ topic, acks: -1, messages: statuses.map((s) => ({ key: opts.serde.encodeKey('camera-status', s.cameraId), value: opts.serde.encodeValue('camera-status', s) })) });
    },
    worker: opts.worker,
    everyMs: opts.everyMs,
    clock: opts.clock,
    logger: opts.logger,
  });
  const changed = (camera: string) => {
    const s = stats.get(camera);
    if (!s) return;
    const health = s.health();
    if (health.status === s.lastReported) return;
    s.lastReported = health.status;
    reporter.changed(camera, health);
  };
  const clearTimer = (camera: string) => {
    clearTimeout(runningTimers.get(camera));
    runningTimers.delete(camera);
  };

  const onSpawn = ({ name }: ChildStarted) => {
    const camera = opts.cameraOf(name);
    if (camera === undefined) return;
    statsOf(camera).started();
    changed(camera);
    clearTimer(camera);
    const timer = setTimeout(() => {
      runningTimers.delete(camera);
      stats.get(camera)?.frameRead();
      changed(camera);
    }, opts.runningAfterMs);
    timer.unref();
    runningTimers.set(camera, timer);
  };
  const onExit = (e: ChildExit) => {
    const camera = opts.cameraOf(e.name);
    if (camera === undefined || !stats.has(camera) || e.outcome === 'stopped') return;
    clearTimer(camera);
    if (e.outcome === 'done') stats.get(camera)!.finished();
    else stats.get(camera)!.failed(e.signal ? `the camera's process was killed by ${e.signal}` : `the camera's process exited with code ${e.code}`);
    changed(camera);
  };
  opts.supervisor.on('spawn', onSpawn);
  opts.supervisor.on('exit', onExit);

  let stopping: Promise<void> | undefined;
  return {
    disabled(camera) {
      clearTimer(camera);
      const s = statsOf(camera);
      s.disabled();
      reporter.changed(camera, s.health());
      stats.delete(camera);
    },
    forget(camera) {
      clearTimer(camera);
      stats.delete(camera);
    },
    stop(): Promise<void> {
      stopping ??= (async () => {
        opts.supervisor.off('spawn', onSpawn);
        opts.supervisor.off('exit', onExit);
        for (const camera of [...runningTimers.keys()]) clearTimer(camera);
        await reporter.stop();
        await producer.disconnect();
      })();
      return stopping;
    },
  };
}
