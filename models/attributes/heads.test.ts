// The attribute heads on real photos, through loadFaceModels as the embed stage uses them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FaceInImage, FaceModels } from '../face-models.types.ts';
import { loadFaceModels } from '../face-models.ts';
import { readPhoto } from '../image/read-photo.ts';
import { deepfacePath, subjectFace } from '../testing/deepface.ts';

const detect = { min_score: 0.65, min_face_size: 0, tiling: false, tile_grid: 2 };
const all = { gender: true, age: true, emotions: true, eyes: true, liveness: true, headpose: true };
let models: FaceModels;
let portrait: FaceInImage;
let couple: FaceInImage[];

beforeAll(async () => {
  models = await loadFaceModels({ detect, intraOpThreads: 2, attributes: all });
  const img1 = await readPhoto(deepfacePath('img1.jpg'));
  portrait = { image: img1, face: subjectFace(await models.detect(img1))! };
  const c = await readPhoto(deepfacePath('couple.jpg'));
  couple = (await models.detect(c)).sort((a, b) => a.box.x1 - b.box.x1).map((face) => ({ image: c, face }));
});
afterAll(() => models.close());

describe('attribute heads', () => {
  it('read a smiling, frontal, open-eyed woman (img1.jpg) as such', async () => {
    const [a] = await models.attributes([portrait], all);
    expect(a!.gender?.name).toBe('female');
    expect(a!.gender!.confidence).toBeGreaterThan(0.8);
    expect(a!.emotions?.name).toBe('happy');
    expect(a!.eyes?.name).toBe('open');
    expect(a!.liveness?.name).toBe('real');
    expect(Math.abs(a!.headpose!.yaw)).toBeLessThan(15);
    expect(Math.abs(a!.headpose!.roll)).toBeLessThan(15);
    expect(a!.age).toBeGreaterThan(15);
    expect(a!.age).toBeLessThan(70);
  });

  it('tell the woman and the man of couple.jpg apart', async () => {
    const [left, right] = await models.attributes(couple, { ...all, emotions: false });
    expect(left!.gender?.name).toBe('female');
    expect(right!.gender?.name).toBe('male');
    expect(left!.emotions).toBeUndefined();
  });

  it('give the same results batched and one by one', async () => {
    const faces = [portrait, ...couple];
    const batched = await models.attributes(faces, all);
    for (const [i, f] of faces.entries()) {
      const [single] = await models.attributes([f], all);
      expect(single!.gender).toEqual(batched[i]!.gender);
      expect(single!.emotions!.name).toBe(batched[i]!.emotions!.name);
      expect(single!.emotions!.confidence).toBeCloseTo(batched[i]!.emotions!.confidence, 4);
      expect(single!.headpose!.yaw).toBeCloseTo(batched[i]!.headpose!.yaw, 3);
      expect(single!.liveness!.confidence).toBeCloseTo(batched[i]!.liveness!.confidence, 4);
    }
  });

  it('return nothing for heads that were not loaded, even when asked', async () => {
    const lean = await loadFaceModels({ detect, intraOpThreads: 1, attributes: { ...all, age: false, emotions: false, eyes: false, liveness: false, headpose: false } });
    try {
      const [a] = await lean.attributes([portrait], all);
      expect(Object.keys(a!)).toEqual(['gender']);
    } finally {
      await lean.close();
    }
  });
});
