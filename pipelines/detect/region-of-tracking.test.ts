import { describe, expect, it } from 'vitest';
import type { DetectedFace, RgbImage } from '../../schemas/records.ts';
import { detectInRegion, faceInFrame, regionInFrame } from './region-of-tracking.ts';

const image = (width: number, height: number): RgbImage => ({ width, height, data: new Uint8Array(width * height * 3) });
const face = (x1: number, y1: number, x2: number, y2: number): DetectedFace =>
  ({ box: { x1, y1, x2, y2 }, landmarks5: [[x1 + 1, y1 + 1]], score: 0.9, quality: -1 }) as unknown as DetectedFace;

describe('region of tracking', () => {
  it('clips the region to the frame, null when they do not meet', () => {
    expect(regionInFrame({ x: 100, y: 50, width: 1000, height: 100 }, 640, 360)).toEqual({ x1: 100, y1: 50, x2: 640, y2: 150 });
    expect(regionInFrame({ x: 700, y: 0, width: 10, height: 10 }, 640, 360)).toBeNull();
  });

  it('moves a face found in a crop back to frame pixels, landmarks too', () => {
    expect(faceInFrame(face(10, 20, 30, 40), 100, 50)).toMatchObject({ box: { x1: 110, y1: 70, x2: 130, y2: 90 }, landmarks5: [[111, 71]], score: 0.9 });
  });

  it('detects on the crop only and answers in frame pixels; the whole frame as usual without a region', async () => {
    const seen: Array<[number, number, boolean]> = [];
    const detect = async (img: RgbImage, small?: RgbImage) => (seen.push([img.width, img.height, small !== undefined]), [face(5, 5, 25, 25)]);
    const frame = image(640, 360);
    const small = image(320, 240);
    expect(await detectInRegion(detect, frame, small, { x: 300, y: 100, width: 200, height: 120 })).toMatchObject([{ box: { x1: 305, y1: 105, x2: 325, y2: 125 } }]);
    expect(await detectInRegion(detect, frame, small, null)).toMatchObject([{ box: { x1: 5, y1: 5 } }]);
    expect(await detectInRegion(detect, frame, small, { x: 0, y: 0, width: 640, height: 360 })).toMatchObject([{ box: { x1: 5, y1: 5 } }]);
    expect(await detectInRegion(detect, frame, small, { x: 900, y: 0, width: 10, height: 10 })).toEqual([]);
    expect(seen).toEqual([
      [200, 120, false],
      [640, 360, true],
      [640, 360, true],
    ]);
  });
});
