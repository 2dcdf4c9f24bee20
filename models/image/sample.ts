// Bilinear sampling of a packed RGB image, the one primitive that crop-resize and affine warp share.
// Pixel centres sit at integer coordinates (OpenCV's convention); samples outside the image read as black,
// so a crop that runs past the frame edge is padded with zeros instead of smearing the border.
import type { RgbImage } from '../../schemas/records.ts';

/** Writes the bilinear RGB value at (x, y) into out[o..o+2] (floats, 0–255 scale). */
export function sampleBilinear(img: RgbImage, xIn: number, yIn: number, out: Float32Array, o: number): void {
  const { width: w, height: h, data } = img;
  // A pixel covers ±0.5 around its centre: points over the image's own border pixels read them, not black
  // (otherwise every whole-frame resize darkens its first and last rows and columns).
  const x = xIn >= -0.5 && xIn < 0 ? 0 : xIn > w - 1 && xIn <= w - 0.5 ? w - 1 : xIn;
  const y = yIn >= -0.5 && yIn < 0 ? 0 : yIn > h - 1 && yIn <= h - 0.5 ? h - 1 : yIn;
  const x0 = Math.floor(x);
  const y0 = Math.floor(y);
  const fx = x - x0;
  const fy = y - y0;
  if (x0 >= 0 && y0 >= 0 && x0 < w - 1 && y0 < h - 1) {
    // fast path, all four taps inside: the common case, worth ~4× on frame resizes
    const i = (y0 * w + x0) * 3;
    const j = i + w * 3;
    const w00 = (1 - fx) * (1 - fy);
    const w01 = fx * (1 - fy);
    const w10 = (1 - fx) * fy;
    const w11 = fx * fy;
    out[o] = w00 * data[i]! + w01 * data[i + 3]! + w10 * data[j]! + w11 * data[j + 3]!;
    out[o + 1] = w00 * data[i + 1]! + w01 * data[i + 4]! + w10 * data[j + 1]! + w11 * data[j + 4]!;
    out[o + 2] = w00 * data[i + 2]! + w01 * data[i + 5]! + w10 * data[j + 2]! + w11 * data[j + 5]!;
    return;
  }
  let r = 0;
  let g = 0;
  let b = 0;
  // Four taps, each skipped when it lies outside the image (= black).
  for (let dy = 0; dy < 2; dy++) {
    const yy = y0 + dy;
    if (yy < 0 || yy >= h) continue;
    const wy = dy === 0 ? 1 - fy : fy;
    if (wy === 0) continue;
    for (let dx = 0; dx < 2; dx++) {
      const xx = x0 + dx;
      if (xx < 0 || xx >= w) continue;
      const wgt = wy * (dx === 0 ? 1 - fx : fx);
      if (wgt === 0) continue;
      const i = (yy * w + xx) * 3;
      r += wgt * data[i]!;
      g += wgt * data[i + 1]!;
      b += wgt * data[i + 2]!;
    }
  }
  out[o] = r;
  out[o + 1] = g;
  out[o + 2] = b;
}

/**
 * Taps per axis when shrinking by `factor` (source pixels per output pixel). Plain bilinear aliases badly when a
 * 600 px face is squeezed into 64 px, so each output pixel averages a small grid of bilinear samples spread over
 * its footprint (an approximation of OpenCV's INTER_AREA). Capped at 4×4 to bound the cost.
 */
export function tapsFor(factor: number): number {
  return factor <= 1.5 ? 1 : Math.min(4, Math.ceil(factor));
}
