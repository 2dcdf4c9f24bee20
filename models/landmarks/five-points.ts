// The 5 points ArcFace-style aligners want, derived from the 68 iBUG landmarks (0-based indices).
// Eye centres average the four eyelid points rather than the corners: corners sit on the eye's outline and
// shift with squinting, the lid points straddle the pupil.
import type { Point } from '../../schemas/records.ts';
import type { Landmarks68 } from './landmarks68.ts';

function pt(l: Landmarks68, i: number): Point {
  return [l[2 * i]!, l[2 * i + 1]!];
}

/** Mean position of some of the 68 landmarks (a centre of eye lids, of mouth corners …). */
export function meanLandmark(l: Landmarks68, idx: readonly number[]): Point {
  let x = 0;
  let y = 0;
  for (const i of idx) {
    x += l[2 * i]!;
    y += l[2 * i + 1]!;
  }
  return [x / idx.length, y / idx.length];
}

export const LEFT_EYE_LIDS = [37, 38, 40, 41] as const;
export const RIGHT_EYE_LIDS = [43, 44, 46, 47] as const;
export const NOSE_TIP = 30;

/** [left eye, right eye, nose tip, left mouth corner, right mouth corner]; left/right as seen in the image. */
export function fivePoints(l: Landmarks68): Point[] {
  return [
    meanLandmark(l, LEFT_EYE_LIDS),
    meanLandmark(l, RIGHT_EYE_LIDS),
    pt(l, NOSE_TIP),
    // outer and inner lip corner averaged: the inner one steadies the outer when the mouth opens
    meanLandmark(l, [48, 60]),
    meanLandmark(l, [54, 64]),
  ];
}
