// IoU + appearance tracker. The per-camera step is a pure function of (state, frame) → (state, step); the
// class only keeps one state per camera. Costs combine overlap with a constant-velocity prediction (so fast
// movers still overlap their track) and appearance similarity (so two crossing people do not swap ids).
import type { Box, DetectedFace, FrameDetections } from '../../schemas/records.ts';
import type { TrackConfig } from './config.ts';
import { assignGreedy, assignOptimal, type CostMatrix } from './assignment.ts';
import { boxCentre, iou, translate } from './box.ts';
import type { Tracker, TrackerStep, TrackInfo, TrackObservation } from './tracker.ts';

/** Weight of the track's appearance memory against the newest detection; smooths a single odd frame. */
const APPEARANCE_MEMORY = 0.7;
/** Weight of the previous velocity against the newest measured one. */
const VELOCITY_MEMORY = 0.5;

export interface LiveTrack extends TrackInfo {
  /** creation number within the camera, orders tracks deterministically */
  readonly no: number;
  readonly box: Box;
  /** centre velocity, px per second of stream time */
  readonly vx: number;
  readonly vy: number;
  /** running L2-normalised appearance, empty when detections carry none */
  readonly appearance: Float32Array;
}

export interface CameraTracks {
  readonly camera: string;
  /** number of the next track created */
  readonly next: number;
  readonly live: readonly LiveTrack[];
}

export function emptyCameraTracks(camera: string): CameraTracks {
  return { camera, next: 1, live: [] };
}

export function predictBox(track: LiveTrack, t: number): Box {
  const dt = Math.max(0, t - track.lastT);
  return translate(track.box, track.vx * dt, track.vy * dt);
}

/** Cosine of two L2-normalised vectors; null when either is missing or their sizes differ. */
export function appearanceSimilarity(a: Float32Array, b: Float32Array): number | null {
  if (a.length === 0 || a.length !== b.length) return null;
  let dot = 0;
  for (let i = 0; i < a.length; i++) dot += (a[i] as number) * (b[i] as number);
  return dot;
}

/** 1 − weighted score, or Infinity when the pair is refused (too little overlap or too different). */
export function associationCost(track: LiveTrack, face: DetectedFace, t: number, cfg: TrackConfig): number {
  const overlap = iou(predictBox(track, t), face.box);
  if (overlap < cfg.overlap_threshold || overlap === 0) return Infinity;
  const sim = appearanceSimilarity(track.appearance, face.appearance);
  if (sim === null) return 1 - overlap;
  if (sim < cfg.min_appearance) return Infinity;
  return 1 - ((1 - cfg.appearance_weight) * overlap + cfg.appearance_weight * sim);
}

function blendAppearance(old: Float32Array, fresh: Float32Array): Float32Array {
  if (old.length !== fresh.length) return fresh;
  const out = new Float32Array(old.length);
  let norm = 0;
  for (let i = 0; i < old.length; i++) {
    const v = APPEARANCE_MEMORY * (old[i] as number) + (1 - APPEARANCE_MEMORY) * (fresh[i] as number);
    out[i] = v;
    norm += v * v;
  }
  norm = Math.sqrt(norm);
  if (norm > 0) for (let i = 0; i < out.length; i++) out[i] = (out[i] as number) / norm;
  return out;
}

function continueTrack(track: LiveTrack, face: DetectedFace, fd: FrameDetections, cfg: TrackConfig): LiveTrack {
  const t = fd.frame.t_s;
  const dt = t - track.lastT;
  let { vx, vy } = track;
  if (dt > 0) {
    const [ox, oy] = boxCentre(track.box);
    const [nx, ny] = boxCentre(face.box);
    const mx = (nx - ox) / dt;
    const my = (ny - oy) / dt;
    // The first measured velocity is taken as is; later ones are smoothed against jitter.
    vx = track.frames === 1 ? mx : VELOCITY_MEMORY * vx + (1 - VELOCITY_MEMORY) * mx;
    vy = track.frames === 1 ? my : VELOCITY_MEMORY * vy + (1 - VELOCITY_MEMORY) * my;
  }
  const frames = track.frames + 1;
  return {
    ...track,
    box: face.box,
    vx,
    vy,
    appearance: blendAppearance(track.appearance, face.appearance),
    lastTs: fd.frame.ts,
    lastT: t,
    frames,
    confirmed: frames >= cfg.credence_count,
  };
}

function startTrack(camera: string, no: number, face: DetectedFace, fd: FrameDetections, cfg: TrackConfig): LiveTrack {
  return {
    id: `${camera}-${no}`,
    no,
    camera,
    firstTs: fd.frame.ts,
    lastTs: fd.frame.ts,
    firstT: fd.frame.t_s,
    lastT: fd.frame.t_s,
    frames: 1,
    confirmed: cfg.credence_count <= 1,
    box: face.box,
    vx: 0,
    vy: 0,
    appearance: face.appearance,
  };
}

/** The public view of a live track (drops motion and appearance state). */
export function trackInfo(t: LiveTrack): TrackInfo {
  return { id: t.id, camera: t.camera, firstTs: t.firstTs, lastTs: t.lastTs, firstT: t.firstT, lastT: t.lastT, frames: t.frames, confirmed: t.confirmed };
}

export function stepCamera(state: CameraTracks, fd: FrameDetections, cfg: TrackConfig): { state: CameraTracks; step: TrackerStep } {
  const t = fd.frame.t_s;
  const ended: LiveTrack[] = [];
  const candidates: LiveTrack[] = [];
  for (const tr of state.live) (t - tr.lastT > cfg.miss_interval ? ended : candidates).push(tr);

  const faces = fd.faces;
  const cost = new Float64Array(candidates.length * faces.length);
  for (let r = 0; r < candidates.length; r++) {
    for (let c = 0; c < faces.length; c++) cost[r * faces.length + c] = associationCost(candidates[r] as LiveTrack, faces[c] as DetectedFace, t, cfg);
  }
  const matrix: CostMatrix = { rows: candidates.length, cols: faces.length, cost };
  const pairs = cfg.assignment === 'greedy' ? assignGreedy(matrix) : assignOptimal(matrix);

  const byFace = new Map<number, LiveTrack>();
  const matchedRows = new Set<number>();
  for (const { row, col } of pairs) {
    byFace.set(col, continueTrack(candidates[row] as LiveTrack, faces[col] as DetectedFace, fd, cfg));
    matchedRows.add(row);
  }
  const live: LiveTrack[] = [];
  candidates.forEach((tr, r) => {
    if (matchedRows.has(r)) return;
    // A tentative track must be seen in consecutive frames (DeGirum's credence count); one miss drops it.
    if (tr.confirmed) live.push(tr);
    else ended.push(tr);
  });

  let next = state.next;
  const observed: TrackObservation[] = [];
  faces.forEach((face, index) => {
    const before = byFace.get(index);
    const tr = before ?? startTrack(state.camera, next++, face, fd, cfg);
    live.push(tr);
    const wasConfirmed = before ? tr.frames - 1 >= cfg.credence_count : false;
    observed.push({ track: trackInfo(tr), face, index, justConfirmed: tr.confirmed && !wasConfirmed });
  });
  live.sort((a, b) => a.no - b.no);
  ended.sort((a, b) => a.no - b.no);
  return { state: { camera: state.camera, next, live }, step: { ended: ended.map(trackInfo), observed } };
}

export class IouAppearanceTracker implements Tracker {
  private readonly states = new Map<string, CameraTracks>();

  constructor(private readonly cfg: TrackConfig) {}

  step(detections: FrameDetections): TrackerStep {
    const camera = detections.frame.camera;
    const { state, step } = stepCamera(this.states.get(camera) ?? emptyCameraTracks(camera), detections, this.cfg);
    this.states.set(camera, state);
    return step;
  }

  end(camera?: string): readonly TrackInfo[] {
    const cams = camera === undefined ? [...this.states.keys()].sort() : [camera];
    const ended: TrackInfo[] = [];
    for (const cam of cams) {
      const st = this.states.get(cam);
      if (!st) continue;
      ended.push(...st.live.map(trackInfo));
      // Keep the counter so ids stay unique if the camera comes back.
      this.states.set(cam, { ...st, live: [] });
    }
    return ended;
  }

  saveCamera(camera: string): CameraTracks | undefined {
    return this.states.get(camera);
  }

  restore(cameras: ReadonlyArray<readonly [string, unknown]>): void {
    this.states.clear();
    // saved by saveCamera of this class: plain data with the same shape
    for (const [camera, saved] of cameras) this.states.set(camera, saved as CameraTracks);
  }
}

export function createIouAppearanceTracker(cfg: TrackConfig): Tracker {
  return new IouAppearanceTracker(cfg);
}
