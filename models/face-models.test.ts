import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FaceModels } from './face-models.types.ts';
import { loadFaceModels } from './face-models.ts';
import { readPhoto } from './image/read-photo.ts';
import { deepfacePath } from './testing/deepface.ts';
import { APPEARANCE_DIM } from './appearance.ts';
import { dot } from './embedders/l2-normalise.ts';
import type { RgbImage } from '../schemas/records.ts';

const detect = { min_score: 0.65, min_face_size: 0, tiling: false, tile_grid: 2 };
let models: FaceModels;

beforeAll(async () => {
  models = await loadFaceModels({ detect, intraOpThreads: 2 });
});
afterAll(() => models.close());

describe('loadFaceModels', () => {
  it('says to run models:prepare when a prepared file is missing', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'prepared-'));
    try {
      await expect(loadFaceModels({ detect, intraOpThreads: 1, preparedDir: empty })).rejects.toThrow(/fr_detect\.onnx is missing — run `npm run models:prepare`/);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it('is safe to close twice', async () => {
    const m = await loadFaceModels({ detect, intraOpThreads: 1 });
    await m.close();
    await m.close();
  });
});

describe('detect() fills every field of DetectedFace', () => {
  let img: RgbImage;
  beforeAll(async () => {
    img = await readPhoto(deepfacePath('img1.jpg'));
  });

  it('on a frontal portrait', async () => {
    const [face, ...rest] = await models.detect(img);
    expect(rest).toHaveLength(0);
    const f = face!;
    const { box } = f;
    // box inside the frame
    expect(box.x1).toBeGreaterThanOrEqual(0);
    expect(box.y1).toBeGreaterThanOrEqual(0);
    expect(box.x2).toBeLessThanOrEqual(img.width);
    expect(box.y2).toBeLessThanOrEqual(img.height);
    // five points inside the box, in anatomical order as seen in the image
    expect(f.landmarks5).toHaveLength(5);
    for (const [x, y] of f.landmarks5) {
      expect(x).toBeGreaterThan(box.x1);
      expect(x).toBeLessThan(box.x2);
      expect(y).toBeGreaterThan(box.y1);
      expect(y).toBeLessThan(box.y2);
    }
    const [le, re, nose, lm, rm] = f.landmarks5 as [[number, number], [number, number], [number, number], [number, number], [number, number]];
    expect(le[0]).toBeLessThan(re[0]);
    expect(lm[0]).toBeLessThan(rm[0]);
    expect(nose[1]).toBeGreaterThan(Math.max(le[1], re[1]));
    expect(nose[1]).toBeLessThan(Math.min(lm[1], rm[1]));
    // frontal, sharp, large: near-zero pose and the best quality band
    expect(Math.abs(f.pose.yaw)).toBeLessThan(15);
    expect(Math.abs(f.pose.pitch)).toBeLessThan(15);
    expect(Math.abs(f.pose.roll)).toBeLessThan(10);
    expect(f.sharpness).toBeGreaterThan(0.5);
    expect(f.sharpness).toBeLessThanOrEqual(1);
    expect(f.quality).toBeGreaterThan(-1);
    expect(f.quality).toBeLessThanOrEqual(0);
    expect(f.appearance.length).toBe(APPEARANCE_DIM);
    expect(dot(f.appearance, f.appearance)).toBeCloseTo(1, 5);
  });

  it('rates the same face shrunk to ~25 px at most satisfactory', async () => {
    const [big] = await models.detect(img);
    // shrink the whole photo ×1/34 so the face is ~25 px tall
    const { cropResize } = await import('./image/crop-resize.ts');
    const small = cropResize(img, { x1: 0, y1: 0, x2: img.width, y2: img.height }, 40, 54);
    const found = await models.detect(small);
    expect(found.length).toBe(1);
    expect(found[0]!.box.y2 - found[0]!.box.y1).toBeLessThan(30);
    expect(found[0]!.quality).toBeLessThanOrEqual(-2);
    expect(found[0]!.quality).toBeLessThan(big!.quality - 1.5);
  });

  it('appearance tells the two people of couple.jpg apart better than the same person in two photos', async () => {
    const couple = await readPhoto(deepfacePath('couple.jpg'));
    const [a, b] = await models.detect(couple);
    const self = dot(a!.appearance, a!.appearance);
    const other = dot(a!.appearance, b!.appearance);
    expect(other).toBeLessThan(self - 0.1);
  });
});
