// Box operations the tracker and the best-shot filters share. Boxes are absolute pixels, x2/y2 exclusive.
import type { Box } from '../../schemas/records.ts';

export function boxWidth(b: Box): number {
  return Math.max(0, b.x2 - b.x1);
}

export function boxHeight(b: Box): number {
  return Math.max(0, b.y2 - b.y1);
}

export function boxArea(b: Box): number {
  return boxWidth(b) * boxHeight(b);
}

export function boxCentre(b: Box): readonly [number, number] {
  return [(b.x1 + b.x2) / 2, (b.y1 + b.y2) / 2];
}

/** Intersection over union; 0 for disjoint or empty boxes. */
export function iou(a: Box, b: Box): number {
  const w = Math.min(a.x2, b.x2) - Math.max(a.x1, b.x1);
  const h = Math.min(a.y2, b.y2) - Math.max(a.y1, b.y1);
  if (w <= 0 || h <= 0) return 0;
  const inter = w * h;
  const union = boxArea(a) + boxArea(b) - inter;
  return union > 0 ? inter / union : 0;
}

export function translate(b: Box, dx: number, dy: number): Box {
  return { x1: b.x1 + dx, y1: b.y1 + dy, x2: b.x2 + dx, y2: b.y2 + dy };
}

/** A FindFace region `WxH+X+Y` (ROI/ROT); '' means the whole frame (null). */
export interface Region {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

const REGION = /^(\d+)x(\d+)\+(\d+)\+(\d+)$/;
/** JSON Schema pattern of a region in a config or stream_settings: '' or WxH+X+Y with a non-empty size. */
export const REGION_PATTERN = '^$|^[1-9]\\d*x[1-9]\\d*\\+\\d+\\+\\d+$';

export function parseRegion(text: string): Region | null {
  if (text === '') return null;
  const m = REGION.exec(text);
  if (!m) throw new RangeError(`region "${text}" is not WxH+X+Y`);
  return { width: Number(m[1]), height: Number(m[2]), x: Number(m[3]), y: Number(m[4]) };
}

/** The region holds the box when the box centre lies inside it (FindFace posts faces "inside" the ROI). */
export function centreInside(b: Box, r: Region | null): boolean {
  if (r === null) return true;
  const [cx, cy] = boxCentre(b);
  return cx >= r.x && cx < r.x + r.width && cy >= r.y && cy < r.y + r.height;
}
