// Crop an axis-aligned box out of an image and resize it, in one bilinear pass (out-of-frame pixels = black).
// The box is in source pixels with x2/y2 exclusive, so box [0, 0, W, H] to W×H is the identity.
import type { Box, RgbImage } from '../../schemas/records.ts';
import { sampleBilinear, tapsFor } from './sample.ts';

export function cropResize(src: RgbImage, box: Box, outW: number, outH: number): RgbImage {
  const sx = (box.x2 - box.x1) / outW;
  const sy = (box.y2 - box.y1) / outH;
  const tx = tapsFor(sx);
  const ty = tapsFor(sy);
  const n = tx * ty;
  const out = new Uint8Array(outW * outH * 3);
  const px = new Float32Array(3);
  for (let y = 0; y < outH; y++) {
    for (let x = 0; x < outW; x++) {
      let r = 0;
      let g = 0;
      let b = 0;
      for (let j = 0; j < ty; j++) {
        // centre of the sub-sample inside output pixel (x, y), mapped to source coordinates (pixel centres at .0)
        const srcY = box.y1 + (y + (j + 0.5) / ty) * sy - 0.5;
        for (let i = 0; i < tx; i++) {
          const srcX = box.x1 + (x + (i + 0.5) / tx) * sx - 0.5;
          sampleBilinear(src, srcX, srcY, px, 0);
          r += px[0]!;
          g += px[1]!;
          b += px[2]!;
        }
      }
      const o = (y * outW + x) * 3;
      out[o] = Math.round(r / n);
      out[o + 1] = Math.round(g / n);
      out[o + 2] = Math.round(b / n);
    }
  }
  return { width: outW, height: outH, data: out };
}
