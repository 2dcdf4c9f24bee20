// Face quality on FindFace's scale: 0 best, −1 good, −2 satisfactory, −5 useless; never above 0.
//
//   quality = clamp(size(h) + pose(a) + sharpness(s) + confidence(c), −5, 0)
//
// Each term is a non-positive penalty, piecewise linear between these milestones (flat outside them):
//   size, face box height h in px (what an embedder still resolves; ArcFace crops are 112 px):
//       h ≥ 100 → 0 · 60 → −0.5 · 40 → −1.2 · 25 → −2.2 · 20 → −2.6 · ≤ 12 → −4
//   pose, a = max(|yaw|, 1.2·|pitch|) in degrees (pitch weighs more: it hides the eyes and mouth sooner):
//       a ≤ 15 → 0 · 30 → −0.5 · 45 → −1.2 · 60 → −2 · 70 → −2.6 · ≥ 90 → −4
//   sharpness s on 0..1 (models/image/sharpness.ts):
//       s ≥ 0.6 → 0 · 0.4 → −0.3 · 0.2 → −1 · 0 → −2
//   detector confidence c:
//       c ≥ 0.9 → 0 · 0.65 → −0.4 · ≤ 0.3 → −1
// So a frontal, sharp, confident 120 px face scores 0; a 20 px face or one turned 70° is at most −2.6 (below
// "satisfactory") whatever else holds; several moderate defects add up.
import type { HeadPose } from '../schemas/records.ts';

export interface QualityInput {
  readonly score: number;
  /** face box height in pixels */
  readonly height: number;
  readonly pose: Pick<HeadPose, 'yaw' | 'pitch'>;
  /** 0..1 */
  readonly sharpness: number;
}

type Milestones = readonly (readonly [number, number])[];

/** Piecewise-linear interpolation through (x, y) milestones sorted by x; flat beyond the ends. */
function piecewise(x: number, m: Milestones): number {
  const first = m[0]!;
  const last = m[m.length - 1]!;
  if (x <= first[0]) return first[1];
  if (x >= last[0]) return last[1];
  for (let i = 1; i < m.length; i++) {
    const [x1, y1] = m[i]!;
    const [x0, y0] = m[i - 1]!;
    if (x <= x1) return y0 + ((x - x0) / (x1 - x0)) * (y1 - y0);
  }
  return last[1];
}

const SIZE: Milestones = [[12, -4], [20, -2.6], [25, -2.2], [40, -1.2], [60, -0.5], [100, 0]];
const POSE: Milestones = [[15, 0], [30, -0.5], [45, -1.2], [60, -2], [70, -2.6], [90, -4]];
const SHARP: Milestones = [[0, -2], [0.2, -1], [0.4, -0.3], [0.6, 0]];
const CONF: Milestones = [[0.3, -1], [0.65, -0.4], [0.9, 0]];

export function faceQuality(q: QualityInput): number {
  const angle = Math.max(Math.abs(q.pose.yaw), 1.2 * Math.abs(q.pose.pitch));
  const total =
    piecewise(q.height, SIZE) + piecewise(angle, POSE) + piecewise(q.sharpness, SHARP) + piecewise(q.score, CONF);
  // `+ 0` turns −0 into 0 for a perfect face
  return Math.max(-5, Math.min(0, total)) + 0;
}
