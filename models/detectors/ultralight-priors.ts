// Ultra-Light's anchors ("priors") and box decoding, as the published graph bakes them in for its 320×240 input:
// per stride, a ceil(W/s) × ceil(H/s) grid with a centre in each cell ((i + ½)/cols, (j + ½)/rows) and the stride's
// minimum box sizes, clipped to [0, 1]; decoded with centre variance 0.1 and size variance 0.2 (the graph's own
// constants). ultralight-heads.ts cuts the graph's decoding off; ultralight-priors.test.ts checks these boxes
// against the published graph's.

const STRIDES = [8, 16, 32, 64] as const;
const MIN_BOXES: readonly (readonly number[])[] = [
  [10, 16, 24],
  [32, 48],
  [64, 96],
  [128, 192, 256],
];
const CENTER_VARIANCE = 0.1;
const SIZE_VARIANCE = 0.2;

const clip01 = (v: number) => Math.min(1, Math.max(0, v));

/** Priors as [cx, cy, w, h] per anchor, normalised, in the network's output order (stride, row, column, size). */
export function ultralightPriors(width: number, height: number): Float32Array {
  const out: number[] = [];
  STRIDES.forEach((stride, s) => {
    const cols = Math.ceil(width / stride);
    const rows = Math.ceil(height / stride);
    for (let j = 0; j < rows; j++) {
      for (let i = 0; i < cols; i++) {
        for (const size of MIN_BOXES[s]!) out.push(clip01((i + 0.5) / cols), clip01((j + 0.5) / rows), clip01(size / width), clip01(size / height));
      }
    }
  });
  return Float32Array.from(out);
}

/** The face probability of anchor k from its two logits: a softmax over two classes is a sigmoid of their difference. */
export function faceScore(logits: Float32Array, k: number): number {
  return 1 / (1 + Math.exp(logits[k * 2]! - logits[k * 2 + 1]!));
}

/** Anchor k's regression decoded with prior p to a normalised x1, y1, x2, y2 box, written to `into`. */
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
