import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateOrThrow } from '../../config/validate.ts';
import { loadFaceModels } from '../../models/face-models.ts';
import { embedSubjects, identityGroups } from '../../models/testing/deepface.ts';
import type { FaceEvent } from '../../schemas/records.ts';
import { faceEmbedding, facePost, mockContext, unit } from '../runtime/testing/index.ts';
import { HnswConfig, MatchConfig, MatchIndexConfig, ProjectedConfig } from './config.ts';
import { createExactFaceIndex } from './exact-index.ts';
import { createFaceIndex, type FaceIndex } from './face-index.ts';
import type { IndexedFace } from './face-table.ts';
import { AutoFaceIndex } from './auto-index.ts';
import { HnswFaceIndex } from './hnsw-index.ts';
import { ProjectedFaceIndex } from './projected-index.ts';
import { createMatchStage } from './stage.ts';
import { watchListFromFaces, type WatchList } from './watchlist.ts';

const hnswParams = validateOrThrow(HnswConfig, {}, 'hnsw');
const small: WatchList = {
  dossiers: [
    { name: 'alice', faces: [{ id: 'a1', watchList: 'staff', vector: unit([1, 0.2, 0, 0]) }, { id: 'a2', watchList: 'vip', vector: unit([1, 0, 0, 0]) }] },
    { name: 'bob', faces: [{ id: 'b1', watchList: 'staff', vector: unit([0.6, 0.8, 0, 0]) }] },
  ],
};

describe.each([
  ['exact', (wl: WatchList): FaceIndex => createExactFaceIndex(wl)],
  ['hnsw', (wl: WatchList): FaceIndex => new HnswFaceIndex(wl, hnswParams)],
  ['projected', (wl: WatchList): FaceIndex => new ProjectedFaceIndex(wl, validateOrThrow(ProjectedConfig, {}, 'projected'))],
])('%s index: enrol and delete', (_name, make) => {
  it('top-k dossiers by their best face, as the exact index gives them', async () => {
    const res = await make(small).search(unit([1, 0, 0, 0]), 5);
    expect(res.map((c) => [c.dossier, c.dossierFace, c.watchList])).toEqual([
      ['alice', 'a2', 'vip'],
      ['bob', 'b1', 'staff'],
    ]);
    expect(res[0]!.confidence).toBeCloseTo(1, 5);
  });

  it('an added face is found by the next search, a removed one no longer', async () => {
    const idx = make(small);
    idx.add([{ id: 'c1', dossier: 'carol', watchList: 'staff', vector: Float32Array.from([0, 0, 3, 0]) }]);
    expect(idx.size).toBe(4);
    expect((await idx.search(unit([0, 0, 1, 0]), 1))[0]).toMatchObject({ dossier: 'carol', dossierFace: 'c1', confidence: expect.closeTo(1, 5) });
    expect(idx.remove(['c1', 'nobody'])).toBe(1);
    expect((await idx.search(unit([0, 0, 1, 0]), 5)).map((c) => c.dossier)).not.toContain('carol');
    // alice keeps her other face; with both gone she is no longer a candidate
    idx.remove(['a2']);
    expect((await idx.search(unit([1, 0, 0, 0]), 1))[0]?.dossierFace).toBe('a1');
    idx.remove(['a1']);
    expect((await idx.searchMany([unit([1, 0, 0, 0])], 5))[0]!.map((c) => c.dossier)).toEqual(['bob']);
    await idx.close();
  });

  it('enrolling a face id again replaces its vector and dossier', async () => {
    const idx = make(small);
    idx.add([{ id: 'b1', dossier: 'bob', watchList: 'staff', vector: unit([0, 0, 0, 1]) }]);
    expect(idx.size).toBe(3);
    expect((await idx.search(unit([0, 0, 0, 1]), 1))[0]).toMatchObject({ dossier: 'bob', confidence: expect.closeTo(1, 5) });
  });

  it('an empty index takes its dimension from the first face; other dimensions are refused', async () => {
    const idx = make({ dossiers: [] });
    expect(await idx.search(unit([1, 0]), 3)).toEqual([]);
    idx.add([{ id: 'x', dossier: 'x', watchList: 'l', vector: unit([1, 0]) }]);
    expect(idx.dim).toBe(2);
    expect(() => idx.add([{ id: 'y', dossier: 'y', watchList: 'l', vector: unit([1, 0, 0]) }])).toThrow(/y of y: dimension 3/);
    await expect(idx.search(unit([1, 0, 0]), 1)).rejects.toThrow(RangeError);
  });
});

describe('index choice (match.index)', () => {
  const config = (over: object) => validateOrThrow(MatchIndexConfig, over, 'match.index');
  it.each([
    [{}, 'ExactFaceIndex'],
    [{ auto_projected_from: 3 }, 'ProjectedFaceIndex'],
    [{ type: 'hnsw' }, 'HnswFaceIndex'],
    [{ type: 'projected' }, 'ProjectedFaceIndex'],
    [{ type: 'exact', auto_projected_from: 1 }, 'ExactFaceIndex'],
  ])('%j → %s', async (over, kind) => {
    const idx = createFaceIndex(small, config(over));
    expect((idx instanceof AutoFaceIndex ? idx.current : idx).constructor.name).toBe(kind);
  });

  it('auto: enrolments that bring the lists to auto_projected_from switch to the projected index, same answers', async () => {
    const next = ((seed) => () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 2 - 1)(7);
    const faces = Array.from({ length: 800 }, (_, i) => ({ id: `f${i}`, dossier: `d${i % 400}`, watchList: 'l', vector: unit(Array.from({ length: 32 }, next)) }));
    const idx = createFaceIndex({ dossiers: [] }, config({ auto_projected_from: 600 }));
    const exact = createExactFaceIndex({ dossiers: [] });
    const queries = faces.filter((_, i) => i % 50 === 0).map((f) => unit(Array.from(f.vector, (x) => x + 0.3 * next())));
    for (let from = 0; from < faces.length; from += 200) {
      idx.add(faces.slice(from, from + 200));
      exact.add(faces.slice(from, from + 200));
      expect((idx as AutoFaceIndex).current.constructor.name).toBe(from + 200 >= 600 ? 'ProjectedFaceIndex' : 'ExactFaceIndex');
      expect((await idx.searchMany(queries, 3)).map((c) => c.map((x) => x.dossier))).toEqual((await exact.searchMany(queries, 3)).map((c) => c.map((x) => x.dossier)));
    }
    expect(idx.remove(['f0'])).toBe(1);
    expect(idx.size).toBe(799);
    await Promise.all([idx.close(), exact.close()]);
  });

  it('rejects unknown types and keys', async () => {
    expect(() => config({ type: 'ivf' })).toThrow();
    expect(() => config({ hnsw: { M: 8 } })).toThrow(/unknown key "M"/);
  });
});

describe('approximate indexes on real embeddings', () => {
  // the deepface people (master.csv "Yes" pairs): the first photo of each enrolled, the others are queries
  let enrolled: IndexedFace[] = [];
  let queries: { file: string; vector: Float32Array; person: string }[] = [];
  let distractors: IndexedFace[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'fs-hnsw-'));

  beforeAll(async () => {
    const groups = identityGroups();
    const models = await loadFaceModels({ detect: { min_score: 0.65, min_face_size: 0, tiling: false, tile_grid: 2 }, intraOpThreads: 1 });
    try {
      const vectors = await embedSubjects(models, groups.flat());
      enrolled = groups.map((g, i) => ({ id: g[0]!, dossier: `person-${i}`, watchList: 'real', vector: vectors.get(g[0]!)! }));
      queries = groups.flatMap((g, i) => g.slice(1).map((file) => ({ file, vector: vectors.get(file)!, person: `person-${i}` })));
    } finally {
      await models.close();
    }
    // 3,000 distractors: real embeddings blurred beyond recognition (cosine ≈ 0.3 to their source), so they sit
    // where faces sit without being the same people
    let seed = 99;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 2 - 1;
    distractors = Array.from({ length: 3000 }, (_, i) => {
      const src = enrolled[i % enrolled.length]!.vector;
      return { id: `d${i}`, dossier: `d${i}`, watchList: 'distractors', vector: unit(Array.from(src, (x) => x + rnd() * 0.25)) };
    });
  }, 120_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each(['f16', 'f32', 'i8'] as const)('%s vectors: the exact index\'s top-1 for every other photo of an enrolled person', async (quantization) => {
    const wl = watchListFromFaces([...enrolled, ...distractors]);
    const exact = createExactFaceIndex(wl);
    const hnsw = new HnswFaceIndex(wl, { ...hnswParams, quantization });
    expect(queries.length).toBeGreaterThan(10);
    for (const q of queries) {
      const want = (await exact.search(q.vector, 1))[0]!;
      expect([q.file, (await hnsw.search(q.vector, 1))[0]?.dossier]).toEqual([q.file, want.dossier]);
      expect(want.dossier).toBe(q.person);
    }
  });

  it('decides every event as the exact index does, through the match stage, before and after a deletion', async () => {
    const wl = watchListFromFaces([...enrolled, ...distractors]);
    const config = validateOrThrow(MatchConfig, { confidence_threshold: 0.39 }, 'match');
    const run = async (index: FaceIndex) => {
      const stage = createMatchStage({ config, index });
      const ctx = mockContext<FaceEvent>();
      const records = queries.map((q, i) => faceEmbedding(facePost({ trackId: `t${i}` }), q.vector));
      await stage.process(records, ctx);
      index.remove([enrolled[0]!.id]);
      await stage.process(records, ctx);
      await stage.close?.();
      return ctx.take().map((e) => [e.matched, e.dossier]);
    };
    const exact = await run(createExactFaceIndex(wl));
    const hnsw = await run(new HnswFaceIndex(wl, hnswParams));
    expect(hnsw).toEqual(exact);
    // 3,007 faces outgrow the projected index's 512 candidates: its codes are scanned, the deleted face is stale
    const projected = await run(new ProjectedFaceIndex(wl, validateOrThrow(ProjectedConfig, {}, 'projected')));
    expect(projected).toEqual(exact);
    expect(exact.filter(([matched]) => matched).length).toBeGreaterThan(queries.length);
  });

  it('i8 vectors: confidences re-scored in float32, as the exact index gives them', async () => {
    const wl = watchListFromFaces([...enrolled, ...distractors]);
    const exact = createExactFaceIndex(wl);
    const hnsw = new HnswFaceIndex(wl, { ...hnswParams, quantization: 'i8' });
    for (const q of queries) {
      const want = await exact.search(q.vector, 3);
      const got = await hnsw.search(q.vector, 3);
      expect(got.map((c) => c.dossier)).toEqual(want.map((c) => c.dossier));
      got.forEach((c, i) => expect(c.confidence).toBeCloseTo(want[i]!.confidence, 6));
    }
  });

  it.each(['f16', 'i8'] as const)('%s vectors: saves and loads: the same answers, and the loaded index takes enrolments', async (quantization) => {
    const params = { ...hnswParams, quantization };
    const hnsw = new HnswFaceIndex(watchListFromFaces([...enrolled, ...distractors]), params);
    hnsw.remove(['d7']);
    const file = join(dir, `g-${quantization}.usearch`);
    hnsw.save(file);
    const loaded = HnswFaceIndex.load(file, params);
    expect(loaded.size).toBe(hnsw.size);
    for (const q of queries) expect(await loaded.search(q.vector, 3)).toEqual(await hnsw.search(q.vector, 3));
    loaded.add([{ id: 'new', dossier: 'newcomer', watchList: 'real', vector: queries[0]!.vector }]);
    expect((await loaded.search(queries[0]!.vector, 1))[0]?.dossier).toBe('newcomer');
  });
});
