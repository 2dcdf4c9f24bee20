// The facts behind a camera's health (health.ts), counted from what the stages already report: ingest's counts
// (INGEST_COUNTERS: corrupt frames, frames the motion gate held back) and frames through a shell around its source,
// frames out of detection and face posts by taps on topics `detections` and `faces`, failures from the dead letters.
import { INGEST_COUNTERS } from '../ingest/stage.ts';
import type { DeadLetter } from '../runtime/inproc/run-graph.ts';
import {
  FINDFACE_HEALTH_RULES,
  ZERO_COUNTERS,
  healthStatus,
  processingFps,
  type CameraCounters,
  type CameraState,
  type HealthFacts,
  type HealthRules,
  type HealthStatus,
} from './health.ts';

/** A camera's health as served (GET /cameras/{id} `health`) and recorded (CameraStatus, camera_stats). */
export interface CameraHealth extends CameraCounters {
  readonly status: HealthStatus;
  readonly state: CameraState;
  /** ms since the epoch the status has been what it is */
  readonly since: number;
  readonly processing_fps: number;
  /** why the camera last failed (source error, or a stage's reason for a dead letter); null when none */
  readonly last_error: string | null;
  readonly last_error_at: number | null;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** processing_fps is averaged over this window */
const FPS_WINDOW_MS = 5_000;

export class CameraStats {
  /** the colour last reported (the manager reports changes) */
  lastReported: HealthStatus | null = null;
  private readonly counters: Mutable<CameraCounters> = { ...ZERO_COUNTERS };
  private state: CameraState = 'disabled';
  private runningSinceMs: number | null = null;
  private lastProblemMs: number | null = null;
  private lastError: { readonly text: string; readonly at: number } | null = null;
  private status: HealthStatus = 'grey';
  private statusSince: number;
  /** times of frames out of detection within the fps window */
  private frameTimes: number[] = [];

  constructor(
    private readonly now: () => number,
    private readonly rules: HealthRules = FINDFACE_HEALTH_RULES,
  ) {
    this.statusSince = now();
  }

  /** The source is started (again). */
  started(): void {
    this.counters.job_starts++;
    if (this.state !== 'retrying') this.state = 'starting';
    this.runningSinceMs = null;
    this.observe();
  }

  /** A frame came from the source: the job runs. */
  frameRead(): void {
    if (this.state === 'running') return;
    this.state = 'running';
    this.runningSinceMs = this.now();
    this.observe();
  }

  /** A frame went through detection. */
  frameProcessed(): void {
    const t = this.now();
    this.counters.frames_processed++;
    this.frameTimes.push(t);
    if (this.frameTimes.length > 256 && this.frameTimes[0]! <= t - FPS_WINDOW_MS) this.frameTimes = this.frameTimes.filter((x) => x > t - FPS_WINDOW_MS);
  }

  facePosted(): void {
    this.counters.faces_posted++;
  }

  /** A count ingest reported (ctx.count) for this camera. */
  count(what: string, n: number): void {
    if (what === INGEST_COUNTERS.corruptFrames) {
      this.counters.decoding_soft_errors += n;
      this.lastProblemMs = this.now();
    } else if (what === INGEST_COUNTERS.imotionSkipped) this.counters.frames_imotion_skipped += n;
  }

  /** A stage failed on a record of this camera: a frame is dropped, a face failed. */
  deadLetter(letter: DeadLetter, kind: 'frame' | 'face'): void {
    if (kind === 'frame') this.counters.frames_dropped++;
    else this.counters.faces_failed++;
    this.lastProblemMs = this.now();
    this.lastError = { text: `${letter.stage}: ${letter.reason}`, at: this.lastProblemMs };
    this.observe();
  }

  /** The source failed; the job waits to reconnect. */
  failed(reason: string): void {
    this.state = 'retrying';
    this.runningSinceMs = null;
    this.lastError = { text: reason, at: this.now() };
    this.observe();
  }

  /** The source ended by itself (a file read to its end). */
  finished(): void {
    this.state = 'finished';
    this.observe();
  }

  disabled(): void {
    this.state = 'disabled';
    this.runningSinceMs = null;
    this.observe();
  }

  get facts(): HealthFacts {
    return { state: this.state, runningSinceMs: this.runningSinceMs, lastProblemMs: this.lastProblemMs };
  }

  /**
   * Moves the status to what the facts say now: at once after each change of the facts; a colour that turned by
   * itself (yellow → green after the settling time) dates from when it turned.
   */
  private observe(byItself = false): HealthStatus {
    const now = this.now();
    const status = healthStatus(this.facts, now, this.rules);
    if (status !== this.status) {
      const { runningSinceMs, lastProblemMs } = this.facts;
      this.status = status;
      this.statusSince = byItself && status === 'green' ? Math.max(runningSinceMs ?? 0, lastProblemMs ?? 0) + this.rules.settleMs : now;
    }
    return status;
  }

  /** The health now. */
  health(): CameraHealth {
    const now = this.now();
    const status = this.observe(true);
    return {
      status,
      state: this.state,
      since: this.statusSince,
      processing_fps: this.state === 'running' ? processingFps(this.frameTimes, now, FPS_WINDOW_MS, this.runningSinceMs) : 0,
      ...this.counters,
      last_error: this.lastError?.text ?? null,
      last_error_at: this.lastError?.at ?? null,
    };
  }
}

/** The camera a record of any topic is about (null for records without one). */
export function cameraOf(record: unknown): string | null {
  if (typeof record !== 'object' || record === null) return null;
  const r = record as { camera?: unknown; frame?: { camera?: unknown }; post?: { camera?: unknown }; embedding?: { post?: { camera?: unknown } } };
  const camera = r.camera ?? r.frame?.camera ?? r.post?.camera ?? r.embedding?.post?.camera;
  return typeof camera === 'string' ? camera : null;
}

/** Whether a dead letter lost a frame (before or in detection and tracking) or a posted face (after). */
export function deadLetterKind(letter: DeadLetter): 'frame' | 'face' {
  return letter.stage === 'detect' || letter.stage === 'track' ? 'frame' : 'face';
}
