import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadManifest, findModel, modelPath } from '../manifest.ts';
import { readPhoto } from '../image/read-photo.ts';
import { deepfacePath } from '../testing/deepface.ts';
import type { Detector } from './detector.ts';
import { detectorFactory } from './registry.ts';
import { cropResize } from '../image/crop-resize.ts';
import { resizeRegion } from '../image/resize-region.ts';

let det: Detector;

beforeAll(async () => {
  const entry = findModel(loadManifest(), 'detector')!;
  det = await detectorFactory(entry.kind).create(entry, modelPath(entry), { intraOpThreads: 2 });
});
afterAll(() => det.close());

describe('ultralight detector on real photos', () => {
  it('finds the two people of couple.jpg, far apart', async () => {
    const found = await det.detect(await readPhoto(deepfacePath('couple.jpg')));
    expect(found).toHaveLength(2);
    const [a, b] = found.map((d) => (d.box.x1 + d.box.x2) / 2).sort((x, y) => x - y);
    expect(b! - a!).toBeGreaterThan(500);
  });

  it('finds several faces in selfie-many-people.jpg, score-sorted, squared by height', async () => {
    const found = await det.detect(await readPhoto(deepfacePath('selfie-many-people.jpg')));
    expect(found.length).toBeGreaterThanOrEqual(4);
    for (let i = 1; i < found.length; i++) expect(found[i]!.score).toBeLessThanOrEqual(found[i - 1]!.score);
    for (const d of found) {
      expect(d.box.x2 - d.box.x1).toBeCloseTo(d.box.y2 - d.box.y1, 6);
      expect(d.box.y2 - d.box.y1).toBeCloseTo(d.raw.y2 - d.raw.y1, 6);
    }
  });

  it.each(['img1.jpg', 'img10.jpg', 'img17.jpg', 'img22.jpg', 'img33.jpg', 'img47.jpg'])('finds exactly one face in the portrait %s', async (f) => {
    const img = await readPhoto(deepfacePath(f));
    const found = await det.detect(img);
    expect(found).toHaveLength(1);
    const d = found[0]!;
    expect(d.score).toBeGreaterThan(0.95);
    // a portrait's face is large and roughly central
    expect(d.raw.y2 - d.raw.y1).toBeGreaterThan(img.height * 0.2);
    expect(Math.abs((d.raw.x1 + d.raw.x2) / 2 - img.width / 2)).toBeLessThan(img.width * 0.3);
  });

  it('min score and min face size filter', async () => {
    const img = await readPhoto(deepfacePath('selfie-many-people.jpg'));
    const all = await det.detect(img);
    const strict = await det.detect(img, { minScore: 0.9 });
    expect(strict.every((d) => d.score >= 0.9)).toBe(true);
    const big = await det.detect(img, { minFaceSize: 140 });
    expect(big.length).toBeLessThan(all.length);
    expect(big.every((d) => d.raw.y2 - d.raw.y1 >= 140)).toBe(true);
  });

  it('uses a frame already squeezed to its input instead of resizing, and ignores one of another size', async () => {
    expect(det.wholeFrameInput).toEqual({ width: 320, height: 240 });
    const img = await readPhoto(deepfacePath('selfie-many-people.jpg'));
    const whole = { x1: 0, y1: 0, x2: img.width, y2: img.height };
    const own = await det.detect(img);
    // the same pixels handed over give the same faces
    expect(await det.detect(img, { resized: await resizeRegion(img, whole, 320, 240) })).toEqual(own);
    // proof that it is used: a grey picture in its place finds nothing
    const grey = { width: 320, height: 240, data: new Uint8Array(320 * 240 * 3).fill(128) };
    expect(await det.detect(img, { resized: grey })).toEqual([]);
    expect(await det.detect(img, { resized: { width: 160, height: 120, data: new Uint8Array(160 * 120 * 3) } })).toEqual(own);
  });

  it('tiling finds faces too small for the whole-frame pass', async () => {
    // shrink a portrait to a ~20 px-wide face and paste it into a large grey frame: 1/60 of the width
    const face = await readPhoto(deepfacePath('img10.jpg'));
    const W = 1280;
    const H = 720;
    const frame = new Uint8Array(W * H * 3).fill(128);
    const small = cropResize(face, { x1: 0, y1: 0, x2: face.width, y2: face.height }, 34, 50);
    for (const [ox, oy] of [[200, 150], [900, 500]] as const)
      for (let y = 0; y < small.height; y++)
        frame.set(small.data.subarray(y * small.width * 3, (y + 1) * small.width * 3), ((oy + y) * W + ox) * 3);
    const img = { width: W, height: H, data: frame };
    const plain = await det.detect(img);
    const tiled = await det.detect(img, { tiles: 3 });
    expect(plain).toHaveLength(0);
    expect(tiled.length).toBe(2);
  });
});
