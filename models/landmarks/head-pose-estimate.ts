// A cheap, geometric head-pose estimate from the 68 landmarks, computed for every detection so quality can
// penalise turned faces without running HopeNet (the accurate `headpose` attribute) on each one.
//   roll  = angle of the line between the eye centres;
//   yaw   = where the nose tip sits between the two cheek contour points (iBUG 2 and 14): on a head seen as a
//           cylinder the nose moves by R·sin(yaw) while the cheek silhouette stays put ⇒ yaw ≈ asin(2r − 1);
//   pitch = where the nose tip sits between eye line and mouth line, relative to its frontal position.
// Both ratios are measured after undoing the roll. Gains, signs and the frontal nose position were fitted by
// least squares against HopeNet (models/attributes/headpose.ts) on 118 faces — the deepface photos and frames of
// the head-pose clips in shared/data/video, yaw −60…+47°, pitch −17…+28°: residual RMS yaw 2.7°, pitch 4.5°
// (correlation 0.97 and 0.72). Roll is the eye line itself, unscaled. Beyond ±60° the landmark model degrades
// and asin saturates (|yaw| ≤ 68°): read large angles as "strongly turned", not as measurements.
import type { HeadPose } from '../../schemas/records.ts';
import type { Landmarks68 } from './landmarks68.ts';
import { LEFT_EYE_LIDS, meanLandmark, NOSE_TIP, RIGHT_EYE_LIDS } from './five-points.ts';

export const CALIBRATION = {
  /** degrees of yaw per degree of asin(2r − 1) */
  yawGain: 0.76,
  /** nose position between eye line (0) and mouth line (1) on a frontal face */
  pitchFrontal: 0.464,
  /** degrees of pitch per degree of asin(2(q − pitchFrontal)) */
  pitchGain: 0.4,
  /** HopeNet's sign conventions: yaw > 0 when the nose moves to the image's left, pitch > 0 when it moves up */
  yawSign: -1,
  pitchSign: -1,
  rollSign: 1,
};

const DEG = 180 / Math.PI;


function asinDeg(v: number): number {
  return Math.asin(Math.max(-1, Math.min(1, v))) * DEG;
}

export function estimateHeadPose(l: Landmarks68, cal = CALIBRATION): HeadPose {
  const le = meanLandmark(l, LEFT_EYE_LIDS);
  const re = meanLandmark(l, RIGHT_EYE_LIDS);
  const rollRad = Math.atan2(re[1] - le[1], re[0] - le[0]);
  const cos = Math.cos(-rollRad);
  const sin = Math.sin(-rollRad);
  // rotate about the origin by −roll: only differences of the rotated coordinates are used
  const rot = (i: number): [number, number] => {
    const x = l[2 * i]!;
    const y = l[2 * i + 1]!;
    return [x * cos - y * sin, x * sin + y * cos];
  };
  const rotP = (p: readonly [number, number]): [number, number] => [p[0] * cos - p[1] * sin, p[0] * sin + p[1] * cos];
  const nose = rot(NOSE_TIP);
  const cheekL = rot(2);
  const cheekR = rot(14);
  const width = cheekR[0] - cheekL[0];
  const r = width > 0 ? (nose[0] - cheekL[0]) / width : 0.5;
  const yaw = cal.yawSign * cal.yawGain * asinDeg(2 * r - 1);

  const eyeY = (rotP(le)[1] + rotP(re)[1]) / 2;
  const mouthY = (rot(48)[1] + rot(54)[1]) / 2;
  const span = mouthY - eyeY;
  const q = span > 0 ? (nose[1] - eyeY) / span : cal.pitchFrontal;
  const pitch = cal.pitchSign * cal.pitchGain * asinDeg(2 * (q - cal.pitchFrontal));

  return { yaw, pitch, roll: cal.rollSign * rollRad * DEG };
}
