import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FaceInImage, FaceModels } from '../face-models.types.ts';
import { loadFaceModels } from '../face-models.ts';
import { loadManifest, findModel } from '../manifest.ts';
import { readPhoto } from '../image/read-photo.ts';
import { deepfacePath, masterPairs, subjectFace } from '../testing/deepface.ts';
import { dot } from './l2-normalise.ts';

let models: FaceModels;
const faces = new Map<string, FaceInImage>();
const vectors = new Map<string, Float32Array>();
const pairs = masterPairs();

beforeAll(async () => {
  models = await loadFaceModels({ detect: { min_score: 0.65, min_face_size: 0, tiling: false, tile_grid: 2 }, intraOpThreads: 2, embedBatchSize: 8 });
  for (const f of new Set(pairs.flatMap((p) => [p.a, p.b]))) {
    const image = await readPhoto(deepfacePath(f));
    const face = subjectFace(await models.detect(image));
    if (!face) throw new Error(`no face in ${f}`);
    faces.set(f, { image, face });
  }
  const names = [...faces.keys()];
  const vs = await models.embed(names.map((n) => faces.get(n)!));
  names.forEach((n, i) => vectors.set(n, vs[i]!));
});
afterAll(() => models.close());

describe('ArcFace embedder on the deepface pairs', () => {
  it('returns L2-normalised 512-d vectors', () => {
    for (const v of vectors.values()) {
      expect(v.length).toBe(512);
      expect(dot(v, v)).toBeCloseTo(1, 5);
    }
  });

  it('gives the same vectors batched and one by one (to 1e-5)', async () => {
    const some = [...faces.values()].slice(0, 11); // 8 + 3: a full and a partial batch
    const batched = await models.embed(some);
    for (const [i, f] of some.entries()) {
      const [single] = await models.embed([f]);
      for (let k = 0; k < 512; k++) expect(Math.abs(single![k]! - batched[i]![k]!)).toBeLessThan(1e-5);
    }
  });

  it('scores same-person pairs higher than different-person pairs on average', () => {
    const sims = pairs.map((p) => ({ s: dot(vectors.get(p.a)!, vectors.get(p.b)!), same: p.same }));
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const same = mean(sims.filter((x) => x.same).map((x) => x.s));
    const diff = mean(sims.filter((x) => !x.same).map((x) => x.s));
    expect(same).toBeGreaterThan(diff + 0.4);
  });

  it('verifies ≥ 97 % of the 300 master.csv pairs at the manifest threshold', () => {
    const threshold = findModel(loadManifest(), 'embedder')!.thresholds!['match']!;
    expect(pairs).toHaveLength(300);
    const right = pairs.filter((p) => dot(vectors.get(p.a)!, vectors.get(p.b)!) >= threshold === p.same).length;
    expect(right / pairs.length).toBeGreaterThanOrEqual(0.97);
  });
});
