// 5-point face alignment: the least-squares similarity transform (rotation, uniform scale, translation) taking
// the detected points onto the ArcFace 112×112 template (Umeyama 1991, as insightface's `estimate_norm`).
// A similarity cannot shear, so a bad landmark bends the face less than the lib's exact 3-point affine.
import type { Point } from '../schemas/records.ts';
import type { Affine } from './image/affine.ts';

/** insightface's arcface_dst, for a 112×112 crop. */
export const ARCFACE_112: readonly Point[] = [
  [38.2946, 51.6963],
  [73.5318, 51.5014],
  [56.0252, 71.7366],
  [41.5493, 92.3655],
  [70.7299, 92.2041],
];

/** Template scaled for another output size (the template is defined for 112 px square). */
export function templateFor(size: number): Point[] {
  const s = size / 112;
  return ARCFACE_112.map(([x, y]) => [x * s, y * s] as const);
}

/**
 * Least-squares similarity mapping `src[i]` onto `dst[i]`. Closed form in 2-D: with centred points, the optimal
 * rotation·scale is (a, b) = Σ(x·x' + y·y', x·y' − y·x') / Σ|p|² — the 2-D case of Umeyama's SVD solution.
 * Returns the 2×3 matrix [a, −b, tx, b, a, ty].
 */
export function similarityTransform(src: readonly Point[], dst: readonly Point[]): Affine {
  const n = src.length;
  if (n < 2 || dst.length !== n) throw new Error('similarityTransform needs ≥ 2 matching points');
  let sx = 0;
  let sy = 0;
  let dx = 0;
  let dy = 0;
  for (let i = 0; i < n; i++) {
    sx += src[i]![0];
    sy += src[i]![1];
    dx += dst[i]![0];
    dy += dst[i]![1];
  }
  sx /= n;
  sy /= n;
  dx /= n;
  dy /= n;
  let num1 = 0;
  let num2 = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    const x = src[i]![0] - sx;
    const y = src[i]![1] - sy;
    const u = dst[i]![0] - dx;
    const v = dst[i]![1] - dy;
    num1 += x * u + y * v;
    num2 += x * v - y * u;
    den += x * x + y * y;
  }
  if (den === 0) throw new Error('similarityTransform: source points coincide');
  const a = num1 / den;
  const b = num2 / den;
  return [a, -b, dx - (a * sx - b * sy), b, a, dy - (b * sx + a * sy)];
}

/** The matrix that warps a frame so the face's 5 points land on the ArcFace template of `size` px. */
export function alignmentMatrix(landmarks5: readonly Point[], size = 112): Affine {
  return similarityTransform(landmarks5, templateFor(size));
}
