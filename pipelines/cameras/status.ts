// Camera health as CameraStatus records (the `camera-status` topic's value, camera_stats rows): every camera's
// every `everyMs`, and a camera's at once when its colour changes. Where they go is the caller's: serve writes them
// into ClickHouse; a distributed ingest worker produces them to Kafka.
import type { Logger } from 'pino';
import type { CameraStatus } from '../../schemas/generated/avro-types.ts';
import type { Clock } from '../runtime/stage.ts';
import type { CameraHealth } from './stats.ts';

export function cameraStatusOf(cameraId: string, h: CameraHealth, ts: number, worker: string): CameraStatus {
  return {
    cameraId,
    ts,
    status: h.status,
    state: h.state,
    since: h.since,
    processingFps: h.processing_fps,
    framesProcessed: h.frames_processed,
    framesDropped: h.frames_dropped,
    framesImotionSkipped: h.frames_imotion_skipped,
    facesPosted: h.faces_posted,
    facesFailed: h.faces_failed,
    decodingSoftErrors: h.decoding_soft_errors,
    jobStarts: h.job_starts,
    lastError: h.last_error,
    worker,
  };
}

/**
 * A record back as served health. The record has no time of its error: last_error_at is the record's time, when the
 * worker reported the error last.
 */
export function healthOfStatus(s: CameraStatus): CameraHealth {
  return {
    status: s.status as CameraHealth['status'],
    state: s.state as CameraHealth['state'],
    since: s.since,
    processing_fps: s.processingFps,
    frames_processed: s.framesProcessed,
    frames_dropped: s.framesDropped,
    frames_imotion_skipped: s.framesImotionSkipped,
    faces_posted: s.facesPosted,
    faces_failed: s.facesFailed,
    decoding_soft_errors: s.decodingSoftErrors,
    job_starts: s.jobStarts,
    last_error: s.lastError,
    last_error_at: s.lastError === null ? null : s.ts,
  };
}

export interface StatusReporterOptions {
  /** every camera's health now, by camera key */
  readonly healths: () => ReadonlyMap<string, CameraHealth>;
  readonly write: (statuses: readonly CameraStatus[]) => Promise<void>;
  readonly worker: string;
  readonly everyMs: number;
  readonly clock: Clock;
  readonly logger: Pick<Logger, 'warn'>;
}

export interface StatusReporter {
  /** a camera's colour changed: its status is written now */
  changed(camera: string, health: CameraHealth): void;
  /** writes what is pending and stops the timer */
  stop(): Promise<void>;
}

/** Writes one at a time; a failed write is logged and its statuses dropped (the next sample follows soon). */
export function startStatusReporter(o: StatusReporterOptions): StatusReporter {
  let writing: Promise<void> = Promise.resolve();
  const write = (statuses: readonly CameraStatus[]) => {
    writing = writing.then(() =>
      o.write(statuses).catch((err: unknown) => o.logger.warn({ err: (err as Error).message, statuses: statuses.length }, 'camera statuses could not be written')),
    );
    return writing;
  };
  const all = () => {
    const ts = o.clock.now();
    return [...o.healths()].map(([camera, h]) => cameraStatusOf(camera, h, ts, o.worker));
  };
  const timer = setInterval(() => void write(all()), o.everyMs);
  timer.unref();
  return {
    changed: (camera, health) => void write([cameraStatusOf(camera, health, o.clock.now(), o.worker)]),
    async stop() {
      clearInterval(timer);
      await write(all());
    },
  };
}
