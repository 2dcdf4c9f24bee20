// What an ingest worker knows of its cameras' health, on the `camera-status` topic (CameraStatus, keyed by camera),
// through the camera stats (stats.ts) with FindFace's colours: the life of each camera's child process and the
// counters it logs (child-counters.ts). A child spawned is `starting`; `running` once it counts frames; one that
// failed waits to restart, or its live source to reconnect (`retrying`, red); a file read to its end is `finished`;
// a camera disabled is reported grey once and forgotten. Counters count since the camera started on this worker; jobStarts every start and reconnection.
import type { Admin, Kafka, Producer } from 'kafkajs';
import type { Logger } from 'pino';
import type { ChildExit, ChildLine, ChildStarted, Supervisor } from '../../../cli/supervisor.ts';
import { INGEST_COUNTERS } from '../../ingest/stage.ts';
import { ensureTopics } from '../../runtime/kafka/topics.ts';
import { PRODUCER_DEFAULTS } from '../../runtime/kafka/producer-defaults.ts';
import type { Clock } from '../../runtime/stage.ts';
import type { CameraStatus } from '../../../schemas/generated/avro-types.ts';
import type { TopicSerde } from '../../../schemas/serde/topic-serde.ts';
import { kafkaTopic } from '../../../schemas/topics.ts';
import { CameraStats } from '../stats.ts';
import { childCountersOf, childSourceBackIn, childSourceFailureOf, type ChildCounters } from './child-counters.ts';
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
  readonly everyMs: number;
  readonly clock: Clock;
  readonly logger: Pick<Logger, 'warn'>;
}

export interface WorkerStatus {
  /** a line of a child's output: its counters, if it is a counters line */
  childLine(line: ChildLine): void;
  /** the camera was disabled: one grey record, then nothing more from this worker */
  disabled(camera: string): void;
  /** the camera left this worker (deleted, or its partition moved): nothing more from this worker */
  forget(camera: string): void;
  /** writes the last records and closes the producer */
  stop(): Promise<void>;
}

/** Topic settings when facestream creates `camera-status`: a time series read into ClickHouse, kept a day. */
const RETENTION_MS = 86_400_000;

/** Creates `camera-status` unless it exists (serve may follow it before any worker reported). */
export async function ensureCameraStatusTopic(admin: Admin, topicPrefix: string): Promise<void> {
  const topic = kafkaTopic('camera-status', topicPrefix);
  await ensureTopics(admin, [{ topic, numPartitions: 4, replicationFactor: -1, configEntries: [{ name: 'retention.ms', value: String(RETENTION_MS) }] }]);
}

export async function startWorkerStatus(opts: WorkerStatusOptions): Promise<WorkerStatus> {
  const topic = kafkaTopic('camera-status', opts.topicPrefix);
  const admin = opts.kafka.admin();
  await admin.connect();
  try {
    await ensureCameraStatusTopic(admin, opts.topicPrefix);
  } finally {
    await admin.disconnect();
  }
  const producer: Producer = opts.kafka.producer({ ...PRODUCER_DEFAULTS, allowAutoTopicCreation: false });
  await producer.connect();
  const stats = new Map<string, CameraStats>();
  /** each camera's child's totals as last logged (a new child counts from 0 again) */
  const totals = new Map<string, ChildCounters>();
  /** cameras whose child lost its source and has not said it reads again: a counters line logged meanwhile may
   * still report frames read before the failure, which must not turn the camera back from red */
  const awaitingSource = new Set<string>();
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
  const onSpawn = ({ name }: ChildStarted) => {
    const camera = opts.cameraOf(name);
    if (camera === undefined) return;
    statsOf(camera).started();
    totals.delete(camera);
    awaitingSource.delete(camera);
    changed(camera);
  };
  const onExit = (e: ChildExit) => {
    const camera = opts.cameraOf(e.name);
    if (camera === undefined || !stats.has(camera) || e.outcome === 'stopped') return;
    if (e.outcome === 'done') stats.get(camera)!.finished();
    else stats.get(camera)!.failed(e.signal ? `the camera's process was killed by ${e.signal}` : `the camera's process exited with code ${e.code}`);
    changed(camera);
  };
  opts.supervisor.on('spawn', onSpawn);
  opts.supervisor.on('exit', onExit);

  /** the child's new totals: what grew since its last line goes into the camera's stats */
  const counted = (camera: string, now: ChildCounters) => {
    const s = stats.get(camera);
    if (!s) return;
    const was = totals.get(camera) ?? { frames: 0, faces: 0, imotionSkipped: 0, decodingSoftErrors: 0 };
    totals.set(camera, now);
    const grew = (k: keyof ChildCounters) => Math.max(0, now[k] - was[k]);
    if (grew('frames') + grew('imotionSkipped') > 0 && !awaitingSource.has(camera)) s.frameRead();
    for (let i = grew('frames'); i > 0; i--) s.frameProcessed();
    for (let i = grew('faces'); i > 0; i--) s.facePosted();
    if (grew('imotionSkipped') > 0) s.count(INGEST_COUNTERS.imotionSkipped, grew('imotionSkipped'));
    if (grew('decodingSoftErrors') > 0) s.count(INGEST_COUNTERS.corruptFrames, grew('decodingSoftErrors'));
    changed(camera);
  };

  let stopping: Promise<void> | undefined;
  return {
    childLine({ name, line }) {
      const camera = opts.cameraOf(name);
      if (camera === undefined) return;
      const counters = childCountersOf(line);
      if (counters) counted(camera, counters);
      const s = stats.get(camera);
      const failure = childSourceFailureOf(line);
      if (failure !== undefined && s) {
        // the child reads its source again soon: red meanwhile, and each attempt is a start (as in serve)
        s.failed(failure);
        s.started();
        awaitingSource.add(camera);
        changed(camera);
      } else if (s && childSourceBackIn(line)) {
        awaitingSource.delete(camera);
        s.frameRead();
        changed(camera);
      }
    },
    disabled(camera) {
      totals.delete(camera);
      awaitingSource.delete(camera);
      const s = statsOf(camera);
      s.disabled();
      reporter.changed(camera, s.health());
      stats.delete(camera);
    },
    forget(camera) {
      totals.delete(camera);
      awaitingSource.delete(camera);
      stats.delete(camera);
    },
    stop(): Promise<void> {
      stopping ??= (async () => {
        opts.supervisor.off('spawn', onSpawn);
        opts.supervisor.off('exit', onExit);
        await reporter.stop();
        await producer.disconnect();
      })();
      return stopping;
    },
  };
}
