// A camera's health with FindFace's meaning (PRODUCT-REFERENCE.md §2.1): green — running, no errors; yellow — running
// for less than 30 s, or posting errors; red — cannot be processed; grey — disabled. Pure: the camera manager
// (manager.ts) and the distributed workers keep the facts (stats.ts), this decides the colour.

export const HEALTH_STATUSES = ['green', 'yellow', 'red', 'grey'] as const;
export type HealthStatus = (typeof HEALTH_STATUSES)[number];

/**
 * What the camera's job is doing: `starting` — opened, no frame yet; `running` — frames arrive; `retrying` — the
 * source failed and no frame came since (waiting to reconnect, or reconnecting); `finished` — a file read to its end;
 * `disabled` — not active.
 */
export const CAMERA_STATES = ['starting', 'running', 'retrying', 'finished', 'disabled'] as const;
export type CameraState = (typeof CAMERA_STATES)[number];

/** FindFace's per-camera counters, since the camera's job was created in this process. */
export interface CameraCounters {
  /** frames that went through detection */
  readonly frames_processed: number;
  /** frames read but lost before detection finished with them (a stage failed on them) */
  readonly frames_dropped: number;
  /** frames skipped by motion gating (ingest's `imotion_skipped` count) */
  readonly frames_imotion_skipped: number;
  /** face shots posted by the tracker (topic faces) */
  readonly faces_posted: number;
  /** posted faces a later stage failed on (dead letters) */
  readonly faces_failed: number;
  /** corrupt packets and frames the decoder skipped */
  readonly decoding_soft_errors: number;
  /** times the camera's source was started */
  readonly job_starts: number;
}

export const ZERO_COUNTERS: CameraCounters = {
  frames_processed: 0,
  frames_dropped: 0,
  frames_imotion_skipped: 0,
  faces_posted: 0,
  faces_failed: 0,
  decoding_soft_errors: 0,
  job_starts: 0,
};

export interface HealthFacts {
  readonly state: CameraState;
  /** ms since the epoch of the current run's first frame; null before one */
  readonly runningSinceMs: number | null;
  /** ms since the epoch of the last posting or decoding error (faces_failed, frames_dropped, decoding_soft_errors) */
  readonly lastProblemMs: number | null;
}

export interface HealthRules {
  /** a camera is yellow this long after its frames start and after a posting error (FindFace: 30 s) */
  readonly settleMs: number;
}

export const FINDFACE_HEALTH_RULES: HealthRules = { settleMs: 30_000 };

/** The colour of a camera at `now`. */
export function healthStatus(facts: HealthFacts, now: number, rules: HealthRules = FINDFACE_HEALTH_RULES): HealthStatus {
  switch (facts.state) {
    case 'disabled':
    case 'finished':
      return 'grey';
    case 'retrying':
      return 'red';
    case 'starting':
      return 'yellow';
    case 'running': {
      const recent = (ms: number | null) => ms !== null && now - ms < rules.settleMs;
      return recent(facts.runningSinceMs) || recent(facts.lastProblemMs) ? 'yellow' : 'green';
    }
  }
}

/** When a running camera's colour changes by itself (yellow turning green), so the change can be reported then. */
export function nextChangeAt(facts: HealthFacts, now: number, rules: HealthRules = FINDFACE_HEALTH_RULES): number | null {
  if (facts.state !== 'running') return null;
  const ends = [facts.runningSinceMs, facts.lastProblemMs].filter((ms): ms is number => ms !== null).map((ms) => ms + rules.settleMs);
  const later = ends.filter((t) => t > now);
  return later.length > 0 ? Math.max(...later) : null;
}

/** Frames a second over the last `windowMs` (or since `startMs`, when later), from the times frames were processed. */
export function processingFps(frameTimes: readonly number[], now: number, windowMs: number, startMs: number | null): number {
  if (startMs === null) return 0;
  const from = Math.max(now - windowMs, startMs);
  const span = now - from;
  if (span <= 0) return 0;
  const n = frameTimes.filter((t) => t > from && t <= now).length;
  return Math.round((n / (span / 1000)) * 100) / 100;
}
