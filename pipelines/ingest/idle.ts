// When a camera is idle (its tracks should end), decided here because ingest is the only stage that sees the
// camera's own time; the marker then travels in stream order (runtime/stage.ts CameraIdle).
// - A file: by its stream time. A gap of camera_idle_timeout between two frames is a pause: the camera went idle
//   that long after the frame before the gap (when paced in real time, that is also when the marker is sent).
// - A live source: by the clock, but only while ingest waits on the camera — not while it waits on the pipeline
//   (a broker that does not acknowledge), which is no sign of a quiet camera. A live source that fails or is
//   stopped is idle at once: whatever comes next comes over a new connection.
import type { Clock } from '../runtime/stage.ts';

/** A file's pause: the stream time (s) at which its camera went idle before the frame at `t_s`, or null. */
export function pauseBefore(previousT_s: number | null, t_s: number, idleS: number): number | null {
  return previousT_s !== null && t_s - previousT_s >= idleS ? previousT_s + idleS : null;
}

/** A live camera's idle watch: says idle (with the camera's time) once per quiet spell. */
export class LiveIdleWatch {
  /** the last frame's ts (or the stream's start) and the clock when it was received */
  private lastTs: number;
  private lastAt: number;
  private said = false;
  private saying: Promise<void> = Promise.resolve();

  constructor(
    private readonly idleMs: number,
    private readonly clock: Clock,
    private readonly say: (ts: number) => Promise<void>,
  ) {
    this.lastTs = this.lastAt = clock.now();
  }

  /** A frame of ts `ts`, received at `at` (clock), was handed on: the camera is not idle. */
  seen(ts: number, at: number): void {
    this.lastTs = ts;
    this.lastAt = at;
    this.said = false;
  }

  /** What `wait` (a wait on the camera) gives; the camera is idle if it takes idleMs. */
  async waitOn<T>(wait: Promise<T>): Promise<T> {
    // A timer may fire a millisecond early by the clock; the camera was quiet for idleMs all the same.
    const timer = setTimeout(() => this.sayIdle(this.idleMs), this.idleMs);
    try {
      return await wait;
    } finally {
      clearTimeout(timer);
      await this.saying;
    }
  }

  /** The source failed or was stopped: the camera is idle now (unless already said since its last frame). */
  async gone(): Promise<void> {
    this.sayIdle();
    await this.saying;
  }

  /** Says idle at the camera's time now, at least `quietMs` after its last frame. */
  private sayIdle(quietMs = 0): void {
    if (this.said) return;
    this.said = true;
    this.saying = this.say(this.lastTs + Math.max(quietMs, this.clock.now() - this.lastAt));
  }
}
