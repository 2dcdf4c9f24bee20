import { describe, expect, it } from 'vitest';
import { loadManifest } from '../../models/manifest.ts';
import type { ImageRegion } from '../../schemas/records.ts';
import { faceInCrop } from '../embed/face-in-crop.ts';
import { faceAt, square } from '../runtime/testing/index.ts';
import { cropAround, POST_CROP_SCALE } from './post-crop.ts';

/** A 100×80 frame whose pixel (x, y) holds (x, y, x + y mod 256). */
function gradient(width = 100, height = 80): ImageRegion {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data.set([x, y, (x + y) % 256], (y * width + x) * 3);
  return { left: 0, top: 0, image: { width, height, data } };
}

const pixelAt = (r: ImageRegion, x: number, y: number) => [...r.image.data.subarray(((y - r.top) * r.image.width + (x - r.left)) * 3, ((y - r.top) * r.image.width + (x - r.left)) * 3 + 3)];

describe('cropAround', () => {
  it('copies the square region of 3× the box side around the face, at frame coordinates', () => {
    const crop = cropAround(gradient(), square(40, 30, 10));
    expect([crop.left, crop.top, crop.image.width, crop.image.height]).toEqual([30, 20, 30, 30]);
    expect(pixelAt(crop, 30, 20)).toEqual([30, 20, 50]);
    expect(pixelAt(crop, 59, 49)).toEqual([59, 49, 108]);
  });

  it('is clipped to the pixels it is given, including a region that does not start at 0', () => {
    const whole = gradient();
    expect(cropAround(whole, square(0, 0, 20))).toMatchObject({ left: 0, top: 0, image: { width: 40, height: 40 } });
    const part = cropAround(whole, square(20, 20, 40));
    expect([part.left, part.top, part.image.width, part.image.height]).toEqual([0, 0, 100, 80]);
    const again = cropAround(part, square(60, 50, 10));
    expect([again.left, again.top, again.image.width, again.image.height]).toEqual([50, 40, 30, 30]);
    expect(pixelAt(again, 70, 60)).toEqual([70, 60, 130]);
  });

  it('is wide enough for every crop the shipped models take', () => {
    const widest = Math.max(...loadManifest().models.map((m) => m.crop?.scale ?? 1));
    expect(widest).toBeLessThanOrEqual(POST_CROP_SCALE);
  });
});

describe('faceInCrop', () => {
  it('moves the box and landmarks into the crop and leaves a whole-frame crop alone', () => {
    const face = { ...faceAt(square(40, 30, 10)), landmarks5: [[42, 33] as const] };
    const crop = cropAround(gradient(), face.box);
    const moved = faceInCrop(face, crop);
    expect(moved.box).toEqual({ x1: 10, y1: 10, x2: 20, y2: 20 });
    expect(moved.landmarks5).toEqual([[12, 13]]);
    expect(faceInCrop(face, gradient())).toBe(face);
  });
});
