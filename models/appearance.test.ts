import { describe, expect, it } from 'vitest';
import { APPEARANCE_DIM, appearanceDescriptor } from './appearance.ts';
import { dot } from './embedders/l2-normalise.ts';
import type { RgbImage } from '../schemas/records.ts';

function solid(width: number, height: number, fill: (x: number, y: number) => [number, number, number]): RgbImage {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data.set(fill(x, y), (y * width + x) * 3);
  return { width, height, data };
}

describe('appearanceDescriptor', () => {
  const box = { x1: 40, y1: 40, x2: 80, y2: 80 };

  it('is L2-normalised with the documented size', () => {
    const d = appearanceDescriptor(solid(120, 120, () => [200, 150, 100]), box);
    expect(d.length).toBe(APPEARANCE_DIM);
    expect(dot(d, d)).toBeCloseTo(1, 6);
  });

  it('separates a red-shirted person from a blue-shirted one with the same face', () => {
    const person = (shirt: [number, number, number]) => solid(120, 120, (_x, y) => (y < 80 ? [210, 170, 140] : shirt));
    const red = appearanceDescriptor(person([200, 20, 20]), box);
    const red2 = appearanceDescriptor(person([205, 28, 18]), box);
    const blue = appearanceDescriptor(person([20, 30, 200]), box);
    expect(dot(red, red2)).toBeGreaterThan(0.95);
    expect(dot(red, blue)).toBeLessThan(dot(red, red2) - 0.2);
  });

  it('ignores the part of the box outside the frame and stays finite on an empty one', () => {
    const d = appearanceDescriptor(solid(50, 50, () => [1, 2, 3]), { x1: 200, y1: 200, x2: 240, y2: 240 });
    expect(Array.from(d).every((v) => v === 0)).toBe(true);
  });

  it('costs well under 0.2 ms a face', () => {
    const img = solid(480, 270, (x, y) => [x % 256, y % 256, (x * y) % 256]);
    for (let i = 0; i < 200; i++) appearanceDescriptor(img, box);
    const t = performance.now();
    for (let i = 0; i < 2000; i++) appearanceDescriptor(img, { x1: 100 + (i % 50), y1: 60, x2: 180, y2: 140 });
    expect((performance.now() - t) / 2000).toBeLessThan(0.2);
  });
});
