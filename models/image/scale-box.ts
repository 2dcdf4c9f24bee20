// Box geometry for crops: squaring, scaling around the centre, and the "context" crop the package's attribute
// models were trained with (scale shrunk to fit the frame, then shifted inside it rather than padded).
import type { Box } from '../../schemas/records.ts';

export function boxWidth(b: Box): number {
  return b.x2 - b.x1;
}
export function boxHeight(b: Box): number {
  return b.y2 - b.y1;
}

/** Square box of side = height, same centre: the detector's convention (its boxes are taller than faces are wide). */
export function squareByHeight(b: Box): Box {
  const cx = (b.x1 + b.x2) / 2;
  const side = b.y2 - b.y1;
  return { x1: cx - side / 2, y1: b.y1, x2: cx + side / 2, y2: b.y2 };
}

/** Square box of side = max(w, h), same centre: re-squares a box that was clipped at the frame edge. */
export function squareByMax(b: Box): Box {
  const cx = (b.x1 + b.x2) / 2;
  const cy = (b.y1 + b.y2) / 2;
  const half = Math.max(b.x2 - b.x1, b.y2 - b.y1) / 2;
  return { x1: cx - half, y1: cy - half, x2: cx + half, y2: cy + half };
}

/** Box scaled by `s` around its centre; may extend past the frame (crop-resize pads with black). */
export function scaleBox(b: Box, s: number): Box {
  // exactly the box at scale 1 (centre ± half side is not, in floating point): detect() recognises the landmark
  // crop as the face's own box by equality and then measures sharpness on it instead of resampling the face again
  if (s === 1) return { x1: b.x1, y1: b.y1, x2: b.x2, y2: b.y2 };
  const cx = (b.x1 + b.x2) / 2;
  const cy = (b.y1 + b.y2) / 2;
  const hw = ((b.x2 - b.x1) * s) / 2;
  const hh = ((b.y2 - b.y1) * s) / 2;
  return { x1: cx - hw, y1: cy - hh, x2: cx + hw, y2: cy + hh };
}

export function clipBox(b: Box, width: number, height: number): Box {
  return {
    x1: Math.max(0, Math.min(width, b.x1)),
    y1: Math.max(0, Math.min(height, b.y1)),
    x2: Math.max(0, Math.min(width, b.x2)),
    y2: Math.max(0, Math.min(height, b.y2)),
  };
}

/**
 * The crop of MiniFASNet's and SSR-Net's reference code (Silent-Face-Anti-Spoofing `_get_new_box`, reproduced in the
 * package lib): the scale is reduced until the scaled box fits in the frame, then the box is shifted inside the frame.
 * These models saw context, not black borders, during training — padding would look like a photo edge to liveness.
 */
export function scaleBoxInside(b: Box, s: number, width: number, height: number): Box {
  const bw = b.x2 - b.x1;
  const bh = b.y2 - b.y1;
  const scale = Math.min((height - 1) / bh, (width - 1) / bw, s);
  const nw = bw * scale;
  const nh = bh * scale;
  const cx = b.x1 + bw / 2;
  const cy = b.y1 + bh / 2;
  let x1 = cx - nw / 2;
  let y1 = cy - nh / 2;
  let x2 = cx + nw / 2;
  let y2 = cy + nh / 2;
  if (x1 < 0) {
    x2 -= x1;
    x1 = 0;
  }
  if (y1 < 0) {
    y2 -= y1;
    y1 = 0;
  }
  if (x2 > width - 1) {
    x1 -= x2 - width + 1;
    x2 = width - 1;
  }
  if (y2 > height - 1) {
    y1 -= y2 - height + 1;
    y2 = height - 1;
  }
  return { x1: Math.max(0, x1), y1: Math.max(0, y1), x2, y2 };
}
