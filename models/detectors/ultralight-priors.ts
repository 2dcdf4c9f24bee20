// Ultra-Light's anchor boxes ("priors") and box decoding, for any input size. The published ONNX decodes its
// regression outputs with priors baked in for 320×240 only; ultralight-graph.ts cuts that step off so the network
// can take the frame at its own aspect (320×180 for 16:9 video: a quarter fewer pixels to convolve), and the boxes
// are decoded here instead. The rule of the priors baked into the graph: per stride, a ceil(W/s) × ceil(H/s) grid,
// a centre in each cell, with the stride's minimum box sizes, clipped to [0, 1]; decoding with
// centre variance 0.1 and size variance 0.2 (the graph's own constants). At 320×240 the boxes equal the graph's
// (ultralight-priors.test.ts).

const STRIDES = [8, 16, 32, 64] as const;
const MIN_BOXES: readonly (readonly number[])[] = [
  [10, 16, 24],
  [32, 48],
  [64, 96],
  [128, 192, 256],
];
const CENTER_VARIANCE = 0.1;
const SIZE_VARIANCE = 0.2;

/** The largest stride: an input side must be at least this for every feature map to exist. */
export const ULTRALIGHT_MIN_SIDE = STRIDES[3];

const clip01 = (v: number) => Math.min(1, Math.max(0, v));

/** Priors as [cx, cy, w, h] per anchor, normalised, in the network's output order (stride, row, column, size). */
export function ultralightPriors(width: number, height: number): Float32Array {
  const out: number[] = [];
  STRIDES.forEach((stride, s) => {
    const cols = Math.ceil(width / stride);
    const rows = Math.ceil(height / stride);
    // centres spread over the grid's cells (the baked priors' rule: 240/32 = 7.5 rows give centres at (j + ½)/8)
    for (let j = 0; j < rows; j++) {
      for (let i = 0; i < cols; i++) {
        for (const size of MIN_BOXES[s]!) out.push(clip01((i + 0.5) / cols), clip01((j + 0.5) / rows), clip01(size / width), clip01(size / height));
      }
    }
  });
  return Float32Array.from(out);
}

const cache = new Map<string, Float32Array>();

/** ultralightPriors, computed once per size. */
export function priorsFor(width: number, height: number): Float32Array {
  const key = `${width}x${height}`;
  let priors = cache.get(key);
  if (!priors) {
    priors = ultralightPriors(width, height);
    cache.set(key, priors);
  }
  return priors;
}

/** Anchor `p`'s regression (`loc[k·4 …]`) decoded to a normalised x1, y1, x2, y2 box, written to `into`. */
export function decodeBox(loc: Float32Array, k: number, priors: Float32Array, p: number, into: Float64Array): void {
  const pcx = priors[p * 4]!;
  const pcy = priors[p * 4 + 1]!;
  const pw = priors[p * 4 + 2]!;
  const ph = priors[p * 4 + 3]!;
  const cx = loc[k * 4]! * CENTER_VARIANCE * pw + pcx;
  const cy = loc[k * 4 + 1]! * CENTER_VARIANCE * ph + pcy;
  const w = Math.exp(loc[k * 4 + 2]! * SIZE_VARIANCE) * pw;
  const h = Math.exp(loc[k * 4 + 3]! * SIZE_VARIANCE) * ph;
  into[0] = cx - w / 2;
  into[1] = cy - h / 2;
  into[2] = cx + w / 2;
  into[3] = cy + h / 2;
}
