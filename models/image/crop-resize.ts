// Crop an axis-aligned box out of an image and resize it, in one bilinear pass (out-of-frame pixels = black).
// The box is in source pixels with x2/y2 exclusive, so box [0, 0, W, H] to W×H is the identity.
//
// Each output pixel is the mean of tx × ty bilinear sub-samples spread over its footprint (tapsFor: 1 when
// enlarging or shrinking ≤ 1.5×, up to 4 per axis beyond, an approximation of OpenCV's INTER_AREA). The sub-samples
// form a grid and bilinear weights are a product of an x and a y weight, so that mean is separable: it equals one
// horizontal pass with per-column source weights, then one vertical pass with per-row weights. Done that way a
// 200 px face squeezed to 64×64 costs ~4× fewer multiply-adds than sampling the 16 taps of every output pixel —
// this runs for every face of every frame (landmarks, sharpness, attribute heads). The result is the per-pixel
// mean of sampleBilinear calls up to float rounding (image-ops.test.ts compares them).
import type { Box, RgbImage } from '../../schemas/records.ts';
import { tapsFor } from './sample.ts';
import type { GreyImage } from './grey.ts';

/** The source pixels one axis reads: output p averages `len[p]` consecutive pixels from `first[p]`, weights `w[p·stride + k]`. */
interface AxisTaps {
  readonly first: Int32Array;
  readonly len: Int32Array;
  readonly w: Float64Array;
  readonly stride: number;
}

/**
 * Weights along one axis of `size` source pixels: sub-sample k of output p sits at origin + (p + (k + ½)/taps)·scale − ½,
 * reads its two neighbours with bilinear weights, and neighbours outside [0, size) are black (weight dropped), with
 * points within half a pixel of the border snapped onto it, as sampleBilinear does.
 */
function axisTaps(origin: number, scale: number, out: number, taps: number, size: number, scratch: AxisScratch): AxisTaps {
  // the sub-samples of one output span < scale source pixels, each reaching one pixel further
  const stride = Math.ceil(scale) + 3;
  if (scratch.first.length < out) {
    scratch.first = new Int32Array(out);
    scratch.len = new Int32Array(out);
  }
  if (scratch.w.length < out * stride) scratch.w = new Float64Array(out * stride);
  const { first, len, w } = scratch;
  w.fill(0, 0, out * stride);
  const share = 1 / taps;
  for (let p = 0; p < out; p++) {
    let lo = -1;
    let hi = -1;
    for (let k = 0; k < taps; k++) {
      const raw = origin + (p + (k + 0.5) / taps) * scale - 0.5;
      const f = raw >= -0.5 && raw < 0 ? 0 : raw > size - 1 && raw <= size - 0.5 ? size - 1 : raw;
      const x0 = Math.floor(f);
      const frac = f - x0;
      for (let d = 0; d < 2; d++) {
        const x = x0 + d;
        const wt = d === 0 ? 1 - frac : frac;
        if (x < 0 || x >= size || wt === 0) continue;
        if (lo < 0) {
          lo = x;
          hi = x;
        }
        // sub-samples move forward, so x ≥ lo; a neighbour left of lo only arises with weight 0 (skipped above)
        if (x > hi) hi = x;
        w[p * stride + (x - lo)]! += wt * share;
      }
    }
    first[p] = lo < 0 ? 0 : lo;
    len[p] = lo < 0 ? 0 : hi - lo + 1;
  }
  return { first, len, w, stride };
}

/** Reused between calls (a face crop runs for every face of every frame): the garbage was most of what it allocated. */
interface AxisScratch {
  first: Int32Array;
  len: Int32Array;
  w: Float64Array;
}
const colScratch: AxisScratch = { first: new Int32Array(0), len: new Int32Array(0), w: new Float64Array(0) };
const rowScratch: AxisScratch = { first: new Int32Array(0), len: new Int32Array(0), w: new Float64Array(0) };
let tmpScratch = new Float64Array(0);

/** The taps of both axes for resampling `box` of `src` to outW × outH, and the source rows r0…r1 any output row reads. */
function planResize(src: RgbImage, box: Box, outW: number, outH: number) {
  const sx = (box.x2 - box.x1) / outW;
  const sy = (box.y2 - box.y1) / outH;
  const cols = axisTaps(box.x1, sx, outW, tapsFor(sx), src.width, colScratch);
  const rows = axisTaps(box.y1, sy, outH, tapsFor(sy), src.height, rowScratch);
  let r0 = src.height;
  let r1 = -1;
  for (let q = 0; q < outH; q++) {
    if (rows.len[q] === 0) continue;
    r0 = Math.min(r0, rows.first[q]!);
    r1 = Math.max(r1, rows.first[q]! + rows.len[q]! - 1);
  }
  return { cols, rows, r0, r1 };
}

export function cropResize(src: RgbImage, box: Box, outW: number, outH: number): RgbImage {
  const { cols, rows, r0, r1 } = planResize(src, box, outW, outH);
  const out = new Uint8Array(outW * outH * 3);
  if (r1 < r0) return { width: outW, height: outH, data: out };

  // horizontal pass: those source rows at the output width
  const data = src.data;
  const srcStride = src.width * 3;
  const rowOut = outW * 3;
  if (tmpScratch.length < (r1 - r0 + 1) * rowOut) tmpScratch = new Float64Array((r1 - r0 + 1) * rowOut);
  const tmp = tmpScratch;
  const { first: cFirst, len: cLen, w: cw, stride: cs } = cols;
  for (let r = r0; r <= r1; r++) {
    const srcRow = r * srcStride;
    let o = (r - r0) * rowOut;
    for (let p = 0; p < outW; p++, o += 3) {
      let red = 0;
      let green = 0;
      let blue = 0;
      let i = srcRow + cFirst[p]! * 3;
      const wBase = p * cs;
      for (let k = 0, n = cLen[p]!; k < n; k++, i += 3) {
        const wt = cw[wBase + k]!;
        red += wt * data[i]!;
        green += wt * data[i + 1]!;
        blue += wt * data[i + 2]!;
      }
      tmp[o] = red;
      tmp[o + 1] = green;
      tmp[o + 2] = blue;
    }
  }

  // vertical pass; + 0.5 then truncation by the Uint8Array store = round half up (values are ≥ 0)
  const { first: rFirst, len: rLen, w: rw, stride: rs } = rows;
  for (let q = 0; q < outH; q++) {
    const n = rLen[q]!;
    if (n === 0) continue;
    const base = (rFirst[q]! - r0) * rowOut;
    const wBase = q * rs;
    let o = q * rowOut;
    for (let p = 0; p < rowOut; p += 3, o += 3) {
      let red = 0;
      let green = 0;
      let blue = 0;
      for (let k = 0, t = base + p; k < n; k++, t += rowOut) {
        const wt = rw[wBase + k]!;
        red += wt * tmp[t]!;
        green += wt * tmp[t + 1]!;
        blue += wt * tmp[t + 2]!;
      }
      out[o] = red + 0.5;
      out[o + 1] = green + 0.5;
      out[o + 2] = blue + 0.5;
    }
  }
  return { width: outW, height: outH, data: out };
}

/**
 * cropResize straight to grey (BT.601 weights, as toGrey), as floats without rounding: what the landmark model and
 * the sharpness measure read of a face, for every face of every frame. The taps are cropResize's; the passes go
 * to one channel (grey) right after the horizontal one, and no RGB crop is made and converted afterwards.
 * Equal to toGrey(cropResize(…)) up to the RGB crop's rounding to whole values (≤ 0.5 of 255).
 */
export function cropResizeGrey(src: RgbImage, box: Box, outW: number, outH: number, into?: Float32Array): GreyImage {
  const { cols, rows, r0, r1 } = planResize(src, box, outW, outH);
  const n = outW * outH;
  const out = into && into.length >= n ? into.subarray(0, n).fill(0) : new Float32Array(n);
  if (r1 < r0) return { width: outW, height: outH, data: out };

  const data = src.data;
  const srcStride = src.width * 3;
  if (tmpScratch.length < (r1 - r0 + 1) * outW) tmpScratch = new Float64Array((r1 - r0 + 1) * outW);
  const tmp = tmpScratch;
  const { first: cFirst, len: cLen, w: cw, stride: cs } = cols;
  for (let r = r0; r <= r1; r++) {
    const srcRow = r * srcStride;
    let o = (r - r0) * outW;
    for (let p = 0; p < outW; p++, o++) {
      let red = 0;
      let green = 0;
      let blue = 0;
      let i = srcRow + cFirst[p]! * 3;
      const wBase = p * cs;
      for (let k = 0, m = cLen[p]!; k < m; k++, i += 3) {
        const wt = cw[wBase + k]!;
        red += wt * data[i]!;
        green += wt * data[i + 1]!;
        blue += wt * data[i + 2]!;
      }
      tmp[o] = 0.299 * red + 0.587 * green + 0.114 * blue;
    }
  }

  const { first: rFirst, len: rLen, w: rw, stride: rs } = rows;
  for (let q = 0; q < outH; q++) {
    const m = rLen[q]!;
    if (m === 0) continue;
    const base = (rFirst[q]! - r0) * outW;
    const wBase = q * rs;
    const o = q * outW;
    for (let p = 0; p < outW; p++) {
      let g = 0;
      for (let k = 0, t = base + p; k < m; k++, t += outW) g += rw[wBase + k]! * tmp[t]!;
      out[o + p] = g;
    }
  }
  return { width: outW, height: outH, data: out };
}
