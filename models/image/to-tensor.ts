// Image → NCHW float tensor slice, in the colour order and normalisation a manifest entry asks for.
// Writes into a caller-owned buffer at an offset so a batch is filled image by image with no copies.
import type { RgbImage } from '../../schemas/records.ts';
import type { ModelEntry } from '../manifest.ts';

export type TensorInput = ModelEntry['input'];

/** Floats one image occupies in the tensor. */
export function tensorSize(input: TensorInput): number {
  return input.channels * input.width * input.height;
}

/**
 * Writes `img` (already input.width × input.height) as planes: value = (pixel − mean[c]) / std[c], where c is the
 * tensor channel (a single mean/std applies to all). 'bgr' puts blue in plane 0; 'grey' is one BT.601 plane.
 */
export function writeTensor(img: RgbImage, input: TensorInput, dst: Float32Array, offset = 0): void {
  const { width: w, height: h } = input;
  if (img.width !== w || img.height !== h) throw new Error(`writeTensor: image ${img.width}×${img.height}, model wants ${w}×${h}`);
  const plane = w * h;
  const d = img.data;
  const { mean, std } = input.normalisation;
  const m = (c: number): number => mean[Math.min(c, mean.length - 1)]!;
  const s = (c: number): number => std[Math.min(c, std.length - 1)]!;
  if (input.colour === 'grey') {
    if (input.channels !== 1) throw new Error('grey input needs channels = 1');
    const m0 = m(0);
    const inv = 1 / s(0);
    for (let i = 0, j = 0; i < plane; i++, j += 3) {
      dst[offset + i] = (0.299 * d[j]! + 0.587 * d[j + 1]! + 0.114 * d[j + 2]! - m0) * inv;
    }
    return;
  }
  if (input.channels !== 3) throw new Error(`${input.colour} input needs channels = 3`);
  // source byte offset (0 = R, 2 = B) feeding tensor planes 0, 1, 2; one pass over the pixels writes all three
  // planes (three passes, one a plane, took ~1.6× as long on the detector's 320×240 input)
  const [s0, s1, s2] = input.colour === 'rgb' ? [0, 1, 2] : [2, 1, 0];
  const m0 = m(0);
  const m1 = m(1);
  const m2 = m(2);
  const i0 = 1 / s(0);
  const i1 = 1 / s(1);
  const i2 = 1 / s(2);
  const b0 = offset;
  const b1 = offset + plane;
  const b2 = offset + 2 * plane;
  for (let i = 0, j = 0; i < plane; i++, j += 3) {
    dst[b0 + i] = (d[j + s0!]! - m0) * i0;
    dst[b1 + i] = (d[j + s1!]! - m1) * i1;
    dst[b2 + i] = (d[j + s2!]! - m2) * i2;
  }
}
