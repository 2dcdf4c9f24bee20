import { describe, expect, it } from 'vitest';
import { rectInPixels } from './face-posts.ts';

describe('rectInPixels', () => {
  const frame = { width: 1280, height: 720 };
  it('IPC boxes are 0–10000 of the frame', () => {
    expect(rectInPixels({ x1: 5000, y1: 5000, x2: 7500, y2: 10000 }, frame, 'normalized', 'pixels')).toEqual({ x1: 640, y1: 360, x2: 960, y2: 720 });
  });

  it('NVR boxes: pixels or normalized as configured; auto takes a box past the frame for normalized', () => {
    const px = { x1: 854, y1: 176, x2: 978, y2: 300 };
    expect(rectInPixels(px, frame, 'unknown', 'auto')).toEqual(px);
    expect(rectInPixels({ x1: 1000, y1: 1000, x2: 2000, y2: 2000 }, frame, 'unknown', 'normalized')).toEqual({ x1: 128, y1: 72, x2: 256, y2: 144 });
    expect(rectInPixels({ x1: 6000, y1: 2000, x2: 7000, y2: 4000 }, frame, 'unknown', 'auto')).toEqual({ x1: 768, y1: 144, x2: 896, y2: 288 });
    // pixels said, but the box is not in the frame: no box rather than a wrong one
    expect(rectInPixels({ x1: 6000, y1: 2000, x2: 7000, y2: 4000 }, frame, 'unknown', 'pixels')).toBeUndefined();
  });
});
