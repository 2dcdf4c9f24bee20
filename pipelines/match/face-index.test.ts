import { describe, expect, it } from 'vitest';
import { createExactFaceIndex } from './exact-index.ts';
import { watchListFromFaces, type WatchList } from './watchlist.ts';
import { basis, unit } from '../runtime/testing/index.ts';

const wl: WatchList = {
  dossiers: [
    { name: 'carol', faces: [{ id: 'carol/1.jpg', watchList: 'staff', vector: unit([0, 0, 1, 0]) }] },
    {
      name: 'alice',
      faces: [
        { id: 'alice/1.jpg', watchList: 'staff', vector: unit([1, 0.2, 0, 0]) },
        { id: 'alice/2.jpg', watchList: 'vip', vector: unit([1, 0, 0, 0]) },
      ],
    },
    { name: 'bob', faces: [{ id: 'bob/1.jpg', watchList: 'staff', vector: unit([0.6, 0.8, 0, 0]) }] },
  ],
};

describe('exact face index', () => {
  it('returns top-k dossiers by confidence, one candidate per dossier (its best face)', async () => {
    const idx = createExactFaceIndex(wl);
    expect([idx.dim, idx.size]).toEqual([4, 4]);
    const res = await idx.search(unit([1, 0, 0, 0]), 5);
    expect(res.map((c) => [c.dossier, c.dossierFace, c.watchList])).toEqual([
      ['alice', 'alice/2.jpg', 'vip'],
      ['bob', 'bob/1.jpg', 'staff'],
      ['carol', 'carol/1.jpg', 'staff'],
    ]);
    expect(res.map((c) => c.confidence)).toEqual([expect.closeTo(1, 6), expect.closeTo(0.6, 6), expect.closeTo(0, 6)]);
  });

  it.each([
    [1, ['alice']],
    [2, ['alice', 'bob']],
    [0, []],
  ])('k=%i limits the candidates', async (k, names) => {
    expect((await createExactFaceIndex(wl).search(unit([1, 0, 0, 0]), k)).map((c) => c.dossier)).toEqual(names);
  });

  it('normalises query and gallery vectors (confidence is a cosine)', async () => {
    const idx = createExactFaceIndex({ dossiers: [{ name: 'x', faces: [{ id: 'x', watchList: 'l', vector: Float32Array.from([3, 4]) }] }] });
    expect((await idx.search(Float32Array.from([6, 8]), 1))[0]?.confidence).toBeCloseTo(1, 6);
  });

  it('orders equal confidences by dossier name, whatever the input order', async () => {
    const same = (name: string) => ({ name, faces: [{ id: name, watchList: 'l', vector: basis(0, 4) }] });
    const a = await createExactFaceIndex({ dossiers: [same('zed'), same('amy'), same('max')] }).search(basis(0, 4), 3);
    expect(a.map((c) => c.dossier)).toEqual(['amy', 'max', 'zed']);
  });

  it('merges dossiers with the same name and groups flat enrolled faces', async () => {
    const flat = watchListFromFaces([
      { dossier: 'a', id: 'a1', watchList: 'l', vector: basis(0, 4) },
      { dossier: 'b', id: 'b1', watchList: 'l', vector: basis(1, 4) },
      { dossier: 'a', id: 'a2', watchList: 'l', vector: basis(2, 4) },
    ]);
    expect(flat.dossiers.map((d) => [d.name, d.faces.map((f) => f.id)])).toEqual([
      ['a', ['a1', 'a2']],
      ['b', ['b1']],
    ]);
    expect((await createExactFaceIndex(flat).search(basis(2, 4), 5)).map((c) => [c.dossier, c.dossierFace])).toEqual([
      ['a', 'a2'],
      ['b', 'b1'],
    ]);
  });

  it('an empty index finds nothing; a wrong dimension is an error', async () => {
    expect(await createExactFaceIndex({ dossiers: [] }).search(basis(0), 3)).toEqual([]);
    await expect(createExactFaceIndex(wl).search(basis(0, 8), 3)).rejects.toThrow(RangeError);
    expect(() => createExactFaceIndex({ dossiers: [{ name: 'x', faces: [{ id: 'x1', watchList: 'l', vector: basis(0, 4) }, { id: 'x2', watchList: 'l', vector: basis(0, 8) }] }] })).toThrow(
      /x2 of x: dimension 8/,
    );
  });

  it('searches 10k 512-d faces and agrees with a brute-force reference', async () => {
    const dim = 512;
    let seed = 12345;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 2 - 1;
    const vec = () => unit(Array.from({ length: dim }, rnd));
    const dossiers = Array.from({ length: 5000 }, (_, d) => ({
      name: `d${String(d).padStart(5, '0')}`,
      faces: [0, 1].map((f) => ({ id: `d${d}/${f}`, watchList: 'big', vector: vec() })),
    }));
    const idx = createExactFaceIndex({ dossiers });
    const query = vec();
    const res = await idx.search(query, 5);
    // Brute force over plain arrays: best face per dossier, then sort.
    const ref = dossiers
      .map((d) => ({ dossier: d.name, confidence: Math.max(...d.faces.map((f) => f.vector.reduce((s, x, i) => s + x * (query[i] as number), 0))) }))
      .sort((a, b) => b.confidence - a.confidence)
      .slice(0, 5);
    expect(res.map((c) => c.dossier)).toEqual(ref.map((r) => r.dossier));
    res.forEach((c, i) => expect(c.confidence).toBeCloseTo(ref[i]?.confidence ?? NaN, 4));
  });

  it('searchMany (one onnxruntime matrix product) gives search()\'s candidates for every query, 5,000 faces', async () => {
    const dim = 512;
    let seed = 777;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 2 - 1;
    const vec = () => unit(Array.from({ length: dim }, rnd));
    const dossiers = Array.from({ length: 2500 }, (_, d) => ({ name: `d${String(d).padStart(5, '0')}`, faces: [0, 1].map((f) => ({ id: `d${d}/${f}`, watchList: 'big', vector: vec() })) }));
    const idx = createExactFaceIndex({ dossiers });
    try {
      // some queries close to enrolled faces, some random
      const queries = [...Array.from({ length: 20 }, (_, i) => dossiers[i * 97]!.faces[i % 2]!.vector), ...Array.from({ length: 20 }, vec)];
      const many = await idx.searchMany(queries, 5);
      expect(many).toHaveLength(queries.length);
      for (const [i, q] of queries.entries()) {
        const one = await idx.search(q, 5);
        expect(many[i]!.map((c) => [c.dossier, c.dossierFace, c.watchList])).toEqual(one.map((c) => [c.dossier, c.dossierFace, c.watchList]));
        many[i]!.forEach((c, j) => expect(c.confidence).toBeCloseTo(one[j]!.confidence, 5));
      }
      expect(many[0]![0]).toMatchObject({ dossier: 'd00000', confidence: expect.closeTo(1, 5) });
    } finally {
      await idx.close();
    }
  });

  it('searchMany: no queries, an empty index, k = 0, and a wrong dimension', async () => {
    const idx = createExactFaceIndex(wl);
    try {
      expect(await idx.searchMany([], 3)).toEqual([]);
      expect(await createExactFaceIndex({ dossiers: [] }).searchMany([basis(0)], 3)).toEqual([[]]);
      expect(await idx.searchMany([unit([1, 0, 0, 0])], 0)).toEqual([[]]);
      await expect(idx.searchMany([basis(0, 8)], 3)).rejects.toThrow(RangeError);
      expect((await idx.searchMany([unit([1, 0, 0, 0]), unit([0, 0, 1, 0])], 1)).map((r) => r[0]?.dossier)).toEqual(['alice', 'carol']);
    } finally {
      await idx.close();
    }
  });
});
