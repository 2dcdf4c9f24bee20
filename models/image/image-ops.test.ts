import { describe, expect, it } from 'vitest';
import type { RgbImage } from '../../schemas/records.ts';
import { cropResize } from './crop-resize.ts';
import { warpAffine } from './warp-affine.ts';
import { writeTensor } from './to-tensor.ts';
import { toGrey } from './grey.ts';
import { laplacianVariance, faceSharpness } from './sharpness.ts';
import { scaleBoxInside, squareByHeight } from './scale-box.ts';
import { invertAffine, applyAffine } from './affine.ts';
import { sampleBilinear, tapsFor } from './sample.ts';

/** width×height image whose pixel (x, y) is (x, y, x + y) mod 256: every position is recognisable. */
function ramp(width: number, height: number): RgbImage {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * 3;
      data[o] = x % 256;
      data[o + 1] = y % 256;
      data[o + 2] = (x + y) % 256;
    }
  return { width, height, data };
}

function px(img: RgbImage, x: number, y: number): number[] {
  const o = (y * img.width + x) * 3;
  return [img.data[o]!, img.data[o + 1]!, img.data[o + 2]!];
}

describe('cropResize', () => {
  it.each([
    [480, 270, 320, 240],
    [1280, 720, 320, 240],
    [100, 100, 64, 64],
  ])('a whole %i×%i frame resized to %i×%i keeps its border pixels (no black fringe)', (w, h, ow, oh) => {
    const white: RgbImage = { width: w, height: h, data: new Uint8Array(w * h * 3).fill(255) };
    const out = cropResize(white, { x1: 0, y1: 0, x2: w, y2: h }, ow, oh);
    expect(out.data.every((v) => v === 255)).toBe(true);
  });

  it('is the identity for the whole image at its own size', () => {
    const img = ramp(40, 30);
    const out = cropResize(img, { x1: 0, y1: 0, x2: 40, y2: 30 }, 40, 30);
    expect(Buffer.from(out.data).equals(Buffer.from(img.data))).toBe(true);
  });

  it('crops an integer box exactly', () => {
    const img = ramp(40, 30);
    const out = cropResize(img, { x1: 10, y1: 5, x2: 20, y2: 15 }, 10, 10);
    expect(px(out, 0, 0)).toEqual([10, 5, 15]);
    expect(px(out, 9, 9)).toEqual([19, 14, 33]);
  });

  it('upsamples by 2 with bilinear interpolation', () => {
    const img = ramp(10, 10);
    const out = cropResize(img, { x1: 0, y1: 0, x2: 10, y2: 10 }, 20, 20);
    // output pixel 3 maps to source (3 + 0.5) / 2 − 0.5 = 1.25
    expect(px(out, 3, 3)).toEqual([1, 1, 3]); // 1.25 rounds to 1, 2.5 to 3 (Math.round)
    expect(px(out, 4, 4)).toEqual([2, 2, 4]); // 1.75 → 2, 3.5 → 4
  });

  it('pads out-of-frame pixels with black', () => {
    const img: RgbImage = { width: 4, height: 4, data: new Uint8Array(48).fill(200) };
    const out = cropResize(img, { x1: -4, y1: 0, x2: 4, y2: 4 }, 8, 4);
    expect(px(out, 0, 1)).toEqual([0, 0, 0]);
    expect(px(out, 6, 1)).toEqual([200, 200, 200]);
  });

  it('averages when shrinking instead of aliasing', () => {
    // 1-px black/white stripes: plain bilinear sampling at the stripe period returns pure black or pure white
    const w = 64;
    const data = new Uint8Array(w * w * 3);
    for (let y = 0; y < w; y++) for (let x = 0; x < w; x++) data.fill(x % 2 ? 255 : 0, (y * w + x) * 3, (y * w + x) * 3 + 3);
    const out = cropResize({ width: w, height: w, data }, { x1: 0, y1: 0, x2: w, y2: w }, 16, 16);
    for (let x = 0; x < 16; x++) expect(Math.abs(px(out, x, 8)[0]! - 128)).toBeLessThan(40);
  });

  it('equals the mean of bilinear sub-samples per output pixel (its definition), inside, across and outside the frame', () => {
    // cropResize computes that mean as two separable passes; this is the direct per-pixel form
    const reference = (src: RgbImage, b: { x1: number; y1: number; x2: number; y2: number }, ow: number, oh: number): Uint8Array => {
      const sx = (b.x2 - b.x1) / ow;
      const sy = (b.y2 - b.y1) / oh;
      const tx = tapsFor(sx);
      const ty = tapsFor(sy);
      const out = new Uint8Array(ow * oh * 3);
      const v = new Float32Array(3);
      for (let y = 0; y < oh; y++)
        for (let x = 0; x < ow; x++) {
          const acc = [0, 0, 0];
          for (let j = 0; j < ty; j++)
            for (let i = 0; i < tx; i++) {
              sampleBilinear(src, b.x1 + (x + (i + 0.5) / tx) * sx - 0.5, b.y1 + (y + (j + 0.5) / ty) * sy - 0.5, v, 0);
              for (let c = 0; c < 3; c++) acc[c]! += v[c]!;
            }
          for (let c = 0; c < 3; c++) out[(y * ow + x) * 3 + c] = Math.round(acc[c]! / (tx * ty));
        }
      return out;
    };
    let seed = 7;
    const rand = (): number => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    const img: RgbImage = { width: 97, height: 61, data: Uint8Array.from({ length: 97 * 61 * 3 }, () => Math.floor(rand() * 256)) };
    const boxes = [
      { x1: 10.3, y1: 5.7, x2: 70.1, y2: 55.2 }, // inside, shrink ~1×
      { x1: 0, y1: 0, x2: 97, y2: 61 }, // whole frame
      { x1: -20.5, y1: -10, x2: 60, y2: 50.5 }, // past the top-left corner
      { x1: 50, y1: 30, x2: 130, y2: 110 }, // past the bottom-right corner
      { x1: -200, y1: -200, x2: -100, y2: -100 }, // wholly outside
      { x1: 20, y1: 20, x2: 30, y2: 27 }, // enlarged
      { x1: -0.4, y1: -0.3, x2: 96.8, y2: 60.9 }, // within half a pixel of the border
    ];
    for (const b of boxes)
      for (const [ow, oh] of [[64, 64], [16, 12], [112, 112], [7, 23]] as const) {
        const got = cropResize(img, b, ow, oh).data;
        const want = reference(img, b, ow, oh);
        // float summation order may move a value sitting on .5 by one level; nothing more
        let off = 0;
        for (let k = 0; k < want.length; k++) {
          expect(Math.abs(got[k]! - want[k]!)).toBeLessThanOrEqual(1);
          if (got[k] !== want[k]) off++;
        }
        expect(off).toBeLessThanOrEqual(Math.max(1, want.length * 0.002));
      }
  });
});

describe('warpAffine', () => {
  it('with a pure translation shifts pixels', () => {
    const img = ramp(30, 30);
    const out = warpAffine(img, [1, 0, -5, 0, 1, -3], 10, 10); // output (x, y) = source (x + 5, y + 3)
    expect(px(out, 0, 0)).toEqual([5, 3, 8]);
    expect(px(out, 4, 6)).toEqual([9, 9, 18]);
  });

  it('with a 90° rotation maps a corner where expected', () => {
    const img = ramp(20, 20);
    // x' = −y + 19, y' = x  ⇒ source (x, y) = (y', 19 − x')
    const out = warpAffine(img, [0, -1, 19, 1, 0, 0], 20, 20);
    expect(px(out, 19, 0)).toEqual(px(img, 0, 0));
    expect(px(out, 0, 5)).toEqual(px(img, 5, 19));
  });

  it('fills pixels mapped from outside the source with black', () => {
    const img: RgbImage = { width: 4, height: 4, data: new Uint8Array(48).fill(90) };
    const out = warpAffine(img, [1, 0, 10, 0, 1, 10], 8, 8);
    expect(px(out, 0, 0)).toEqual([0, 0, 0]);
  });

  it('affine inverse round-trips points', () => {
    const m = [1.3, -0.4, 12, 0.4, 1.3, -7] as const;
    const [x, y] = applyAffine(invertAffine(m), ...applyAffine(m, 5, 9));
    expect(x).toBeCloseTo(5, 10);
    expect(y).toBeCloseTo(9, 10);
  });
});

describe('writeTensor', () => {
  const img: RgbImage = { width: 2, height: 1, data: new Uint8Array([10, 20, 30, 40, 50, 60]) };
  const base = { width: 2, height: 1, channels: 3 as const, normalisation: { mean: [0], std: [1] } };

  it('writes RGB planes', () => {
    const t = new Float32Array(6);
    writeTensor(img, { ...base, colour: 'rgb' }, t);
    expect(Array.from(t)).toEqual([10, 40, 20, 50, 30, 60]);
  });

  it('writes BGR planes with per-channel normalisation indexed by tensor plane', () => {
    const t = new Float32Array(6);
    writeTensor(img, { ...base, colour: 'bgr', normalisation: { mean: [10, 20, 30], std: [2, 4, 5] } }, t);
    expect(Array.from(t)).toEqual([(30 - 10) / 2, (60 - 10) / 2, 0, 30 / 4, (10 - 30) / 5, (40 - 30) / 5]);
  });

  it('writes one grey plane at an offset', () => {
    const t = new Float32Array(3);
    writeTensor(img, { ...base, channels: 1, colour: 'grey', normalisation: { mean: [0], std: [256] } }, t, 1);
    expect(t[0]).toBe(0);
    expect(t[1]).toBeCloseTo((0.299 * 10 + 0.587 * 20 + 0.114 * 30) / 256, 6);
  });

  it('rejects an image of the wrong size', () => {
    expect(() => writeTensor(img, { ...base, width: 3, colour: 'rgb' }, new Float32Array(9))).toThrow(/model wants 3×1/);
  });
});

describe('grey and sharpness', () => {
  it('grey uses BT.601 weights', () => {
    expect(toGrey({ width: 1, height: 1, data: new Uint8Array([255, 0, 0]) }).data[0]).toBeCloseTo(76.245, 3);
  });

  it('Laplacian variance is 0 on a flat or linear image and large on a checkerboard', () => {
    const flat = { width: 8, height: 8, data: new Float32Array(64).fill(7) };
    const linear = { width: 8, height: 8, data: Float32Array.from({ length: 64 }, (_, i) => (i % 8) * 3 + Math.floor(i / 8)) };
    const checker = { width: 8, height: 8, data: Float32Array.from({ length: 64 }, (_, i) => ((i % 8) + Math.floor(i / 8)) % 2 ? 255 : 0) };
    expect(laplacianVariance(flat)).toBe(0);
    expect(laplacianVariance(linear)).toBeCloseTo(0, 6);
    expect(laplacianVariance(checker)).toBeGreaterThan(1e5);
  });

  it('face sharpness drops when the image is blurred', () => {
    const noisy = ramp(64, 64);
    for (let i = 0; i < noisy.data.length; i++) noisy.data[i] = (noisy.data[i]! * 7919 + i * 104729) % 256;
    // 4×4 box blur
    const blurred = cropResize(cropResize(noisy, { x1: 0, y1: 0, x2: 64, y2: 64 }, 16, 16), { x1: 0, y1: 0, x2: 16, y2: 16 }, 64, 64);
    const box = { x1: 0, y1: 0, x2: 64, y2: 64 };
    expect(faceSharpness(noisy, box)).toBeGreaterThan(0.9);
    expect(faceSharpness(blurred, box)).toBeLessThan(faceSharpness(noisy, box));
  });
});

describe('box geometry', () => {
  it('squares by height around the centre', () => {
    expect(squareByHeight({ x1: 10, y1: 0, x2: 20, y2: 30 })).toEqual({ x1: 0, y1: 0, x2: 30, y2: 30 });
  });

  it('context crop shrinks its scale and shifts inside the frame', () => {
    const b = scaleBoxInside({ x1: 0, y1: 0, x2: 40, y2: 40 }, 2.7, 100, 80);
    expect(b.x1).toBeGreaterThanOrEqual(0);
    expect(b.y1).toBeGreaterThanOrEqual(0);
    expect(b.x2).toBeLessThanOrEqual(99);
    expect(b.y2).toBeLessThanOrEqual(79);
    // the scale was reduced to (80 − 1) / 40 so the box fits the frame's height
    expect(b.y2 - b.y1).toBeCloseTo(79, 6);
  });
});
