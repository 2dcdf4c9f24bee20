// An ingest worker (`facestream stage ingest` without --source, docs/KAFKA.md "Ingest workers"): it follows its share
// of the `cameras` topic (follower.ts), decides what to run (job-set.ts) and runs each enabled camera as one
// supervised child process (cli/supervisor.ts: restarted with exponential backoff when it fails). A child per camera
// because FFmpeg's own timeouts must end a stalled read, and a crash in one decoder must not take the others down.
// Actions on one camera run in order (a restart waits for the old child to exit); different cameras do not wait for
// each other.
import type { Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { CameraJob } from '../../../schemas/generated/avro-types.ts';
import type { TopicSerde } from '../../../schemas/serde/topic-serde.ts';
import type { ChildSpec, Supervisor } from '../../../cli/supervisor.ts';
import { followCameraJobs, type CameraJobsFollower } from './follower.ts';
import { CameraJobSet, type JobAction, type StopCause } from './job-set.ts';

export interface IngestWorkerOptions {
  readonly kafka: Kafka;
  /** registerAll() already done */
  readonly serde: TopicSerde;
  readonly topicPrefix: string;
  readonly groupId: string;
  readonly sessionTimeoutMs: number;
  readonly logger: Logger;
  readonly registry: Registry;
  /** runs the children; started by the worker, stopped by stop() */
  readonly supervisor: Supervisor;
  /** the child that runs one camera's job; its name is childName(cameraId) */
  readonly childOf: (job: CameraJob) => ChildSpec;
  /** a camera stopped here, after its child exited (health reporting: grey when disabled) */
  readonly onStopped?: (cameraId: string, cause: StopCause) => void;
}

export interface IngestWorker {
  /** the cameras this worker runs now */
  cameras(): readonly string[];
  /** rejects when the worker can no longer follow its jobs */
  readonly failed: Promise<never>;
  /** Leaves the group, then stops every child. Safe to call twice. */
  stop(): Promise<void>;
}

const CHILD_PREFIX = 'camera@';

export function childName(cameraId: string): string {
  return `${CHILD_PREFIX}${cameraId}`;
}

function cameraOfAction(action: JobAction): string {
  return action.kind === 'stop' ? action.cameraId : action.job.cameraId;
}

/** The camera a child of childName() runs; undefined for another name. */
export function cameraOfChild(name: string): string | undefined {
  return name.startsWith(CHILD_PREFIX) ? name.slice(CHILD_PREFIX.length) : undefined;
}

export async function startIngestWorker(opts: IngestWorkerOptions): Promise<IngestWorker> {
  const { supervisor, logger } = opts;
  const jobs = new CameraJobSet();
  const running = new Gauge({ name: 'facestream_ingest_worker_cameras', help: 'cameras this ingest worker runs (one child process each)', registers: [opts.registry] });
  const starts = new Counter({ name: 'facestream_ingest_worker_job_starts_total', help: 'camera jobs started or restarted by this worker after a job change', labelNames: ['camera'], registers: [opts.registry] });
  /** per camera, the end of its queued actions */
  const queues = new Map<string, Promise<void>>();

  const perform = async (action: JobAction): Promise<void> => {
    const cameraId = cameraOfAction(action);
    const name = childName(cameraId);
    if (action.kind !== 'start') await supervisor.remove(name);
    if (action.kind === 'stop') {
      opts.onStopped?.(cameraId, action.cause);
      logger.info({ camera: cameraId, reason: action.reason }, `camera ${cameraId} stopped (${action.reason})`);
      return;
    }
    supervisor.add(opts.childOf(action.job));
    starts.inc({ camera: cameraId });
    logger.info({ camera: cameraId, version: action.job.version }, `camera ${cameraId} ${action.kind === 'start' ? 'started' : 'restarted with its changed job'}`);
  };
  let stopping = false;
  const act = (actions: readonly JobAction[]): void => {
    running.set(jobs.size);
    for (const action of actions) {
      const cameraId = cameraOfAction(action);
      const next = (queues.get(cameraId) ?? Promise.resolve())
        .then(() => (stopping ? undefined : perform(action)))
        .catch((err: unknown) => logger.warn({ camera: cameraId, err: (err as Error).message }, `camera ${cameraId}: ${action.kind} failed`));
      queues.set(cameraId, next);
      void next.then(() => queues.get(cameraId) === next && queues.delete(cameraId));
    }
  };

  let fail!: (err: Error) => void;
  const failed = new Promise<never>((_, reject) => (fail = reject));
  failed.catch(() => undefined); // observed by the owner, if at all
  supervisor.start();
  let follower: CameraJobsFollower;
  try {
    follower = await followCameraJobs({
      kafka: opts.kafka,
      serde: opts.serde,
      topicPrefix: opts.topicPrefix,
      groupId: opts.groupId,
      sessionTimeoutMs: opts.sessionTimeoutMs,
      logger,
      onAssigned: (partitions) => act(jobs.assigned(partitions)),
      onJobs: (partition, records) => act(jobs.applyAll(partition, records)),
      onCrash: fail,
    });
  } catch (err) {
    await supervisor.stop();
    throw err;
  }
  let stopped: Promise<void> | undefined;
  return {
    cameras: () => jobs.cameras,
    failed,
    stop(): Promise<void> {
      stopped ??= (async () => {
        stopping = true;
        await follower.stop();
        await Promise.all(queues.values());
        await supervisor.stop();
      })();
      return stopped;
    },
  };
}
