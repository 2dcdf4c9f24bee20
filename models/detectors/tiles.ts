// Tile layout for small-face detection. The detector sees the frame at 320×240; its smallest prior is 10 px
// there, so a face under ~1/30 of the frame width is missed. Running it also on a g×g grid of overlapping
// tiles (each resized to the same input) makes faces g times larger to the network.
import type { Box } from '../../schemas/records.ts';
import { nms, type Scored } from './nms.ts';

/** Fraction of a tile's side shared with its neighbour. Faces smaller than this overlap are whole in some tile. */
export const TILE_OVERLAP = 0.25;

export interface Tile {
  readonly box: Box;
  /** inner edges (shared with a neighbour tile): detections touching them are cut faces */
  readonly innerLeft: boolean;
  readonly innerTop: boolean;
  readonly innerRight: boolean;
  readonly innerBottom: boolean;
}

/** g×g tiles of side W/g·(1+overlap) (clamped inside the frame), keeping the frame's aspect ratio. */
export function tileGrid(width: number, height: number, g: number, overlap = TILE_OVERLAP): Tile[] {
  // whole pixels, so tiles can be cut out of the frame without resampling their edges
  const tw = Math.min(width, Math.round((width / g) * (1 + overlap)));
  const th = Math.min(height, Math.round((height / g) * (1 + overlap)));
  const tiles: Tile[] = [];
  for (let j = 0; j < g; j++) {
    for (let i = 0; i < g; i++) {
      // spread tile origins evenly from 0 to (W − tw)
      const x1 = g === 1 ? 0 : Math.round(((width - tw) * i) / (g - 1));
      const y1 = g === 1 ? 0 : Math.round(((height - th) * j) / (g - 1));
      tiles.push({
        box: { x1, y1, x2: x1 + tw, y2: y1 + th },
        innerLeft: i > 0,
        innerTop: j > 0,
        innerRight: i < g - 1,
        innerBottom: j < g - 1,
      });
    }
  }
  return tiles;
}

/** True when `b` (in frame pixels) touches an inner edge of `t` within `margin` px: the face is probably cut. */
export function touchesInnerEdge(b: Box, t: Tile, margin: number): boolean {
  return (
    (t.innerLeft && b.x1 <= t.box.x1 + margin) ||
    (t.innerTop && b.y1 <= t.box.y1 + margin) ||
    (t.innerRight && b.x2 >= t.box.x2 - margin) ||
    (t.innerBottom && b.y2 >= t.box.y2 - margin)
  );
}

/** What a detector runs on: the whole frame, then (with tiling) a `tiles`×`tiles` grid of overlapping tiles. */
export function detectionRegions(width: number, height: number, tiles: number | undefined): Tile[] {
  const whole: Tile = { box: { x1: 0, y1: 0, x2: width, y2: height }, innerLeft: false, innerTop: false, innerRight: false, innerBottom: false };
  return [whole, ...(tiles !== undefined && tiles >= 2 ? tileGrid(width, height, tiles) : [])];
}

/** A face this close to a tile's inner edge (as a fraction of the tile's width) counts as cut by it. */
const EDGE_MARGIN = 0.01;

/**
 * One list of faces from the candidates of each region: NMS inside each region, faces cut by a tile's inner
 * edge dropped (the neighbouring tile, or the whole frame for large faces, sees them whole), then NMS across
 * regions. `perRegion[i]` holds region i's candidates in frame pixels.
 */
export function mergeRegions<T extends Scored & { readonly box: Box }>(perRegion: ReadonlyArray<readonly T[]>, regions: readonly Tile[], nmsIou: number): T[] {
  const found: T[] = [];
  regions.forEach((r, ri) => {
    for (const c of nms(perRegion[ri] ?? [], nmsIou)) {
      if (ri > 0 && touchesInnerEdge(c.box, r, EDGE_MARGIN * (r.box.x2 - r.box.x1))) continue;
      found.push(c);
    }
  });
  return regions.length > 1 ? nms(found, nmsIou) : found;
}
