// A cheap appearance descriptor for the tracker: two people walking close together have overlapping boxes but
// different hair, skin and clothing colours. The face box is widened ×1.5 and stretched ×1.7 in height (0.2 of
// it above for the hair, 0.5 below for the collar and shoulders), split 2×2, and each cell gets a joint colour histogram (4 levels per RGB channel = 64 bins) from a 16×16
// sample grid. Joint bins, not per-channel ones: a red and a blue shirt share their green marginal but no joint bin.
// Square-rooted (Hellinger) so one dominant colour does not swamp the rest, then L2-normalised: the dot product
// of two descriptors is a similarity in 0..1. 256 pixel reads: a few µs a face (bench/model-latency.ts).
import type { Box, RgbImage } from '../schemas/records.ts';

const GRID = 2;
const SAMPLES = 16; // per side, over the whole expanded box
const BINS = 64;
export const APPEARANCE_DIM = GRID * GRID * BINS;

export function appearanceDescriptor(img: RgbImage, box: Box): Float32Array {
  const w = box.x2 - box.x1;
  const h = box.y2 - box.y1;
  const x1 = box.x1 - 0.25 * w;
  const y1 = box.y1 - 0.2 * h;
  const ew = 1.5 * w;
  const eh = 1.7 * h;
  const hist = new Float32Array(APPEARANCE_DIM);
  const { width: W, height: H, data } = img;
  for (let j = 0; j < SAMPLES; j++) {
    const y = Math.floor(y1 + ((j + 0.5) / SAMPLES) * eh);
    if (y < 0 || y >= H) continue;
    const cy = j < SAMPLES / 2 ? 0 : 1;
    for (let i = 0; i < SAMPLES; i++) {
      const x = Math.floor(x1 + ((i + 0.5) / SAMPLES) * ew);
      if (x < 0 || x >= W) continue;
      const cell = (cy * GRID + (i < SAMPLES / 2 ? 0 : 1)) * BINS;
      const p = (y * W + x) * 3;
      hist[cell + ((data[p]! >> 6) << 4) + ((data[p + 1]! >> 6) << 2) + (data[p + 2]! >> 6)]! += 1;
    }
  }
  let s = 0;
  for (let k = 0; k < hist.length; k++) {
    const v = Math.sqrt(hist[k]!);
    hist[k] = v;
    s += v * v;
  }
  if (s > 0) {
    const inv = 1 / Math.sqrt(s);
    for (let k = 0; k < hist.length; k++) hist[k] = hist[k]! * inv;
  }
  return hist;
}
