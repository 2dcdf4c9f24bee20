// Greedy IoU non-maximum suppression, highest score first (the lib sorts by y2 instead, which keeps whichever
// overlapping box is lowest in the frame rather than the most confident one).
import type { Box } from '../../schemas/records.ts';

export interface Scored {
  readonly box: Box;
  readonly score: number;
}

export function iou(a: Box, b: Box): number {
  const iw = Math.min(a.x2, b.x2) - Math.max(a.x1, b.x1);
  const ih = Math.min(a.y2, b.y2) - Math.max(a.y1, b.y1);
  if (iw <= 0 || ih <= 0) return 0;
  const inter = iw * ih;
  const union = (a.x2 - a.x1) * (a.y2 - a.y1) + (b.x2 - b.x1) * (b.y2 - b.y1) - inter;
  return union > 0 ? inter / union : 0;
}

/** Keeps boxes in descending score order, dropping any whose IoU with a kept box is ≥ `threshold`. */
export function nms<T extends Scored>(items: readonly T[], threshold: number): T[] {
  const sorted = [...items].sort((a, b) => b.score - a.score);
  const kept: T[] = [];
  for (const it of sorted) {
    if (kept.every((k) => iou(k.box, it.box) < threshold)) kept.push(it);
  }
  return kept;
}
