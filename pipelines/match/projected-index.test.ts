import { describe, expect, it } from 'vitest';
import { validateOrThrow } from '../../config/validate.ts';
import { ProjectedConfig } from './config.ts';
import { createExactFaceIndex } from './exact-index.ts';
import type { IndexedFace } from './face-table.ts';
import { ProjectedFaceIndex } from './projected-index.ts';
import { symmetricEigen } from './principal-axes.ts';

const DIM = 96;

/** seeded uniform numbers, so every run sees the same gallery */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A face-like gallery: coordinate k has spread (k+1)^−½, so a few dozen directions carry most of the differences. */
function faces(n: number, seed: number, prefix = 'd'): IndexedFace[] {
  const next = rng(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(next() + 1e-12)) * Math.cos(2 * Math.PI * next());
  return Array.from({ length: n }, (_, i) => ({
    id: `${prefix}${i}`,
    dossier: `${prefix}${i}`,
    watchList: 'l',
    vector: Float32Array.from({ length: DIM }, (_, k) => gauss() / Math.sqrt(k + 1)),
  }));
}

/** another "photo" of a face: its vector plus noise of the same shape (cosine ~0.9) */
function photoOf(face: IndexedFace, seed: number): Float32Array {
  const noise = faces(1, seed)[0]!.vector;
  return face.vector.map((v, k) => v + 0.45 * noise[k]!);
}

const config = (over: Partial<ProjectedConfig> = {}) => validateOrThrow(ProjectedConfig, { dims: 16, candidates: 64, ...over }, 'projected');

describe('projected index', () => {
  const gallery = faces(3000, 1);
  const queries = [...gallery.filter((_, i) => i % 150 === 0).map((f, i) => photoOf(f, 100 + i)), ...faces(10, 2, 's').map((f) => f.vector)];

  it('ranks like the exact index: same top dossiers, exact confidences', async () => {
    const exact = createExactFaceIndex({ dossiers: [] });
    exact.add(gallery);
    const projected = new ProjectedFaceIndex({ dossiers: [] }, config());
    projected.add(gallery);
    const want = await exact.searchMany(queries, 3);
    const got = await projected.searchMany(queries, 3);
    expect(projected.scanning).toBe(true);
    // the photos of enrolled faces find their face first, with the exact index's confidence
    for (let i = 0; i < 20; i++) {
      expect(got[i]![0]!.dossier).toBe(gallery[i * 150]!.id);
      expect(got[i]![0]!.confidence).toBeCloseTo(want[i]![0]!.confidence, 5);
    }
    // strangers' nearest faces too: no face out-ranks them 64 times over on the codes
    expect(got.slice(20).map((c) => c[0]!.dossier)).toEqual(want.slice(20).map((c) => c[0]!.dossier));
    expect(await projected.search(queries[0]!, 3)).toEqual(got[0]);
    await Promise.all([exact.close(), projected.close()]);
  });

  it('faces added and removed after the codes were made are found, or not, at once', async () => {
    const idx = new ProjectedFaceIndex({ dossiers: [] }, config());
    idx.add(gallery);
    await idx.search(queries[0]!, 1);
    const newcomer = faces(1, 7, 'new')[0]!;
    idx.add([newcomer]);
    idx.remove([gallery[0]!.id]);
    // a removed face's slot taken by another face: the slot's old code must not speak for it
    const reuser = { ...faces(1, 8, 'reuse')[0]!, id: 'reuse' };
    idx.add([reuser]);
    // the newcomer's slot and the reused one
    expect(idx.staleFaces).toBe(2);
    expect((await idx.search(photoOf(newcomer, 9), 1))[0]).toMatchObject({ dossier: 'new0' });
    expect((await idx.search(photoOf(reuser, 10), 1))[0]).toMatchObject({ dossier: 'reuse0' });
    expect((await idx.search(queries[0]!, 5)).map((c) => c.dossier)).not.toContain(gallery[0]!.id);
    await idx.close();
  });

  it('rebuilds its codes in the background once many faces changed, answering right meanwhile', async () => {
    const idx = new ProjectedFaceIndex({ dossiers: [] }, config());
    idx.add(gallery.slice(0, 1000));
    await idx.search(queries[0]!, 1);
    idx.add(gallery.slice(1000));
    expect(idx.staleFaces).toBe(2000);
    // this search starts the rebuild and is answered from the old codes plus the stale faces
    expect((await idx.search(queries[10]!, 1))[0]!.dossier).toBe(gallery[1500]!.id);
    await idx.settled();
    expect(idx.staleFaces).toBe(0);
    expect((await idx.search(queries[10]!, 1))[0]!.dossier).toBe(gallery[1500]!.id);
    await idx.close();
  });

  it('scores every face while the gallery is no larger than the candidate list', async () => {
    const idx = new ProjectedFaceIndex({ dossiers: [] }, config());
    idx.add(gallery.slice(0, 64));
    expect((await idx.search(photoOf(gallery[5]!, 11), 1))[0]!.dossier).toBe(gallery[5]!.id);
    expect(idx.scanning).toBe(false);
    await idx.close();
  });
});

describe('symmetric eigen-decomposition', () => {
  it('gives unit eigenvectors, strongest first, that A maps onto λ times themselves', () => {
    const n = 40;
    const next = rng(3);
    const a = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) a[i * n + j] = a[j * n + i] = next() - 0.5;
    const { values, axes } = symmetricEigen(a, n);
    for (let r = 0; r < n; r++) {
      if (r > 0) expect(values[r]!).toBeLessThanOrEqual(values[r - 1]!);
      let norm = 0;
      for (let i = 0; i < n; i++) {
        let av = 0;
        for (let j = 0; j < n; j++) av += a[i * n + j]! * axes[r * n + j]!;
        expect(av).toBeCloseTo(values[r]! * axes[r * n + i]!, 10);
        norm += axes[r * n + i]! ** 2;
      }
      expect(norm).toBeCloseTo(1, 10);
    }
  });
});
