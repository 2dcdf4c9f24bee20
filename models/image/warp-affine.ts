// Affine warp by inverse mapping: each output pixel asks where it came from in the source and samples it
// bilinearly (out-of-frame = black), like cv.warpAffine with INTER_LINEAR and a zero border, plus supersampling
// when the warp shrinks (see tapsFor).
import type { RgbImage } from '../../schemas/records.ts';
import { invertAffine, type Affine } from './affine.ts';
import { sampleBilinear, tapsFor } from './sample.ts';

/** `m` maps source → output pixel coordinates (the matrix an aligner returns). */
export function warpAffine(src: RgbImage, m: Affine, outW: number, outH: number): RgbImage {
  const inv = invertAffine(m);
  const [a, b, c, d, e, f] = inv;
  // Source pixels covered by one output pixel: the inverse map's linear scale.
  const factor = Math.sqrt(Math.abs(a * e - b * d));
  const taps = tapsFor(factor);
  const out = new Uint8Array(outW * outH * 3);
  const px = new Float32Array(3);
  for (let y = 0; y < outH; y++) {
    for (let x = 0; x < outW; x++) {
      let r = 0;
      let g = 0;
      let bl = 0;
      for (let ty = 0; ty < taps; ty++) {
        const oy = y + (ty + 0.5) / taps - 0.5;
        for (let tx = 0; tx < taps; tx++) {
          const ox = x + (tx + 0.5) / taps - 0.5;
          sampleBilinear(src, a * ox + b * oy + c, d * ox + e * oy + f, px, 0);
          r += px[0]!;
          g += px[1]!;
          bl += px[2]!;
        }
      }
      const n = taps * taps;
      const o = (y * outW + x) * 3;
      out[o] = Math.round(r / n);
      out[o + 1] = Math.round(g / n);
      out[o + 2] = Math.round(bl / n);
    }
  }
  return { width: outW, height: outH, data: out };
}
