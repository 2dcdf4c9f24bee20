// The vectors of the matcher bench (bench/matcher.ts). There are not a million real faces, so:
// - real: the subject embedding of every photo of shared/data/faces/deepface/master.csv, people grouped by its
//   "Yes" pairs; the first photo of each enrolled person is enrolled, their other photos are queries (same person,
//   another photo), and the people held out are queries as strangers. Embedded once, cached per embedder model.
// - distractors: one dossier each, from one of two galleries (Gallery below): `clustered`, fitted to the real
//   photos' same- and different-person cosines, and `random`, the worst case for a graph index. Mixing the real
//   embeddings themselves made lookalikes of the 9 real people (the one with 8 photos had distractors closer to his
//   photos than his own enrolled photo), an artefact of having so few people.
// - synthetic queries: another "photo" of an enrolled distractor (its vector plus noise, cosine ≈ the real
//   same-person median) and distractors never enrolled (strangers), enough for recall@1 to mean something.
// Every vector is a pure function of its number, so any process makes the same ones without storing them.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadFaceModels } from '../models/face-models.ts';
import { findModel, loadManifest } from '../models/manifest.ts';
import { embedSubjects, identityGroups } from '../models/testing/deepface.ts';
import { normalisedInto, type IndexedFace } from '../pipelines/match/face-table.ts';

export const CACHE_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '.cache', 'bench', 'matcher');
/** changes whenever the way vectors are made changes, so cached indexes of older data are not reused */
export const DATA_VERSION = 'v4';
const DIM = 512;
/** people held out of the watch list: their photos are the real strangers */
const HELD_OUT = 2;
/** mean cosine between different real people (docs/BENCHMARKS.md: median 0.027), as a distractor's pull to the mean */
const MEAN_COS = 0.03;
/** noise of a distractor's "other photo": cosine to the enrolled vector ≈ 1/√(1+σ²) = 0.78 */
const OTHER_PHOTO_SIGMA = 0.8;

export interface RealFaces {
  readonly embedder: string;
  /** people, each a list of photo files; the last HELD_OUT are never enrolled */
  readonly groups: readonly (readonly string[])[];
  readonly vectors: Readonly<Record<string, readonly number[]>>;
}

/** Real embeddings of the master.csv photos, from the cache when the embedder is the same. */
export async function realFaces(): Promise<RealFaces> {
  const embedder = findModel(loadManifest(), 'embedder')?.id ?? 'unknown';
  const file = join(CACHE_DIR, `real-${embedder}.json`);
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as RealFaces;
  const groups = identityGroups();
  // the detector settings accuracy.ts uses on these photos; no attribute heads
  const models = await loadFaceModels({ detect: { min_score: 0.65, min_face_size: 0, tiling: false, tile_grid: 2 }, intraOpThreads: 2 });
  try {
    const vectors = await embedSubjects(models, groups.flat());
    const real: RealFaces = { embedder, groups, vectors: Object.fromEntries([...vectors].map(([f, v]) => [f, Array.from(v)])) };
    mkdirSync(CACHE_DIR, { recursive: true });
    writeFileSync(file, JSON.stringify(real));
    return real;
  } finally {
    await models.close();
  }
}

/** mulberry32: a small seeded generator, so vector n is the same in every process */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function gaussian(next: () => number): () => number {
  return () => Math.sqrt(-2 * Math.log(next() + 1e-12)) * Math.cos(2 * Math.PI * next());
}

/** Cosines of the real photos' pairs: same person (the "Yes" pairs of master.csv) and different people (the "No" ones). */
export interface PairCosines {
  readonly same: Summary;
  readonly different: Summary;
}
export interface Summary {
  readonly pairs: number;
  readonly mean: number;
  readonly sd: number;
  readonly p1: number;
  readonly p50: number;
  readonly p99: number;
}

export function summary(values: readonly number[]): Summary {
  const v = [...values].sort((a, b) => a - b);
  const mean = v.reduce((s, x) => s + x, 0) / v.length;
  const sd = Math.sqrt(v.reduce((s, x) => s + (x - mean) ** 2, 0) / v.length);
  const q = (p: number) => v[Math.min(v.length - 1, Math.floor(p * v.length))] ?? 0;
  const r = (x: number) => Math.round(x * 1000) / 1000;
  return { pairs: v.length, mean: r(mean), sd: r(sd), p1: r(q(0.01)), p50: r(q(0.5)), p99: r(q(0.99)) };
}

const dot = (a: Float32Array, b: Float32Array) => a.reduce((s, x, j) => s + x * b[j]!, 0);

/**
 * Which distractors fill the watch list:
 * - `clustered`: synthetic identities shaped like the real embeddings' statistics. An identity is the real mean
 *   face direction plus a gaussian whose variances fall as a power law over a fixed random orthonormal basis; the
 *   law's exponent is solved so that two identities' cosines have the mean and spread of the real different-person
 *   pairs (a lower effective dimension than 512 random directions, as face embeddings have). Another photo of an
 *   identity adds noise of the same shape, scaled to the real same-person median cosine. Checked once on the real
 *   photos: a person's deviations from their own mean put 5.9 % of their energy into the 8-d span of the 9 people's
 *   means (1.6 % for a random direction); this noise puts 6.4 % there, isotropic noise 1.4 %.
 * - `random`: unit gaussian directions pulled towards the mean real embedding (mean cosine as real, but the spread of
 *   512 independent dimensions): no structure for a graph to follow, the worst case for HNSW.
 */
export type Gallery = 'clustered' | 'random';
export const GALLERIES: readonly Gallery[] = ['clustered', 'random'];

export class BenchVectors {
  /** the mean real embedding, unit length */
  private readonly mean = new Float32Array(DIM);
  readonly enrolledReal: IndexedFace[];
  readonly realQueries: { readonly file: string; readonly vector: Float32Array; readonly person: string | null }[];
  /** the real photos' pair cosines the clustered gallery is fitted to */
  readonly real: PairCosines;
  /** clustered: standard deviation of each basis direction (the power law), and the signs of the rotation */
  private readonly scale = new Float32Array(DIM);
  private readonly signs: Float32Array[];
  /** weight of the mean direction in an identity, and the noise of another photo */
  private readonly along: number;
  private readonly photoSigma: number;

  constructor(
    real: RealFaces,
    readonly gallery: Gallery,
  ) {
    const vec = (f: string) => Float32Array.from(real.vectors[f]!);
    const all = real.groups.flat().map(vec);
    for (const v of all) for (let j = 0; j < DIM; j++) this.mean[j]! += v[j]!;
    normalisedInto(this.mean, this.mean, 0);
    const enrolled = real.groups.slice(0, real.groups.length - HELD_OUT);
    this.enrolledReal = enrolled.map((g, i) => ({ id: g[0]!, dossier: `person-${i}`, watchList: 'real', vector: vec(g[0]!) }));
    this.realQueries = real.groups.flatMap((g, i) =>
      (i < enrolled.length ? g.slice(1) : g).map((file) => ({ file, vector: vec(file), person: i < enrolled.length ? `person-${i}` : null })),
    );

    const unitOf = (f: string) => {
      const u = new Float32Array(DIM);
      normalisedInto(vec(f), u, 0);
      return u;
    };
    const people = real.groups.map((g) => g.map(unitOf));
    const same: number[] = [];
    const different: number[] = [];
    people.forEach((a, i) =>
      people.forEach((b, j) => {
        if (j < i) return;
        a.forEach((x, s) => b.forEach((y, t) => (i === j ? t > s && same.push(dot(x, y)) : different.push(dot(x, y)))));
      }),
    );
    this.real = { same: summary(same), different: summary(different) };

    // Two identities a = √α·m + √(1−α)·x (x of unit expected norm, variances λ_k) have cosine ≈ α + (1−α)·x·x',
    // whose spread is (1−α)·√Σλ². α = the real mean cosine; the exponent p of λ_k ∝ (k+1)^−p gives the real spread.
    const alpha = Math.max(0, this.real.different.mean);
    const wanted = this.real.different.sd / (1 - alpha);
    const spread = (p: number) => {
      const l = Array.from({ length: DIM }, (_, k) => (k + 1) ** -p);
      const total = l.reduce((s, x) => s + x, 0);
      return { l: l.map((x) => x / total), sd: Math.sqrt(l.reduce((s, x) => s + (x / total) ** 2, 0)) };
    };
    let lo = 0;
    let hi = 4;
    for (let i = 0; i < 50; i++) {
      const mid = (lo + hi) / 2;
      if (spread(mid).sd < wanted) lo = mid;
      else hi = mid;
    }
    spread(lo).l.forEach((x, k) => (this.scale[k] = Math.sqrt(x)));
    this.along = Math.sqrt(alpha);
    // another photo = identity + σ·noise of unit expected norm: cosine to the identity ≈ 1/√(1+σ²) = the real median
    this.photoSigma = gallery === 'clustered' ? Math.sqrt(1 / this.real.same.p50 ** 2 - 1) : OTHER_PHOTO_SIGMA;
    const signRng = rng(0x5eed);
    this.signs = [0, 1].map(() => Float32Array.from({ length: DIM }, () => (signRng() < 0.5 ? -1 : 1)));
  }

  /** distractor n (dossier `d<n>`), written into out[offset …] */
  distractorInto(n: number, out: Float32Array, offset: number): void {
    const g = gaussian(rng(n * 2 + 1));
    const v = new Float32Array(DIM);
    if (this.gallery === 'random') {
      // energy MEAN_COS along the mean, the rest spread evenly: two such vectors have cosine ≈ MEAN_COS
      const along = Math.sqrt(MEAN_COS);
      const sd = Math.sqrt((1 - MEAN_COS) / DIM);
      for (let j = 0; j < DIM; j++) v[j] = along * this.mean[j]! + sd * g();
    } else {
      this.shapedInto(g, v);
      const rest = Math.sqrt(1 - this.along ** 2);
      for (let j = 0; j < DIM; j++) v[j] = this.along * this.mean[j]! + rest * v[j]!;
    }
    normalisedInto(v, out, offset);
  }

  distractor(n: number): Float32Array {
    const v = new Float32Array(DIM);
    this.distractorInto(n, v, 0);
    return v;
  }

  /** another "photo" of distractor n: its vector plus noise of norm ≈ photoSigma */
  otherPhoto(n: number): Float32Array {
    const g = gaussian(rng(n * 2 + 2));
    const v = this.distractor(n);
    const noise = new Float32Array(DIM);
    if (this.gallery === 'random') noise.forEach((_, j) => (noise[j] = g() / Math.sqrt(DIM)));
    else this.shapedInto(g, noise);
    for (let j = 0; j < DIM; j++) v[j]! += this.photoSigma * noise[j]!;
    const out = new Float32Array(DIM);
    normalisedInto(v, out, 0);
    return out;
  }

  /** cosines of the synthetic vectors: 2,000 pairs of distractors, and each of 2,000 distractors to another photo of it */
  syntheticCosines(): PairCosines {
    return {
      same: summary(Array.from({ length: 2000 }, (_, i) => dot(this.distractor(i), this.otherPhoto(i)))),
      different: summary(Array.from({ length: 2000 }, (_, i) => dot(this.distractor(2 * i), this.distractor(2 * i + 1)))),
    };
  }

  /**
   * A gaussian with the power-law variances, turned by a fixed orthonormal map (sign flips and Walsh–Hadamard
   * transforms, O(d log d)) so that its main directions are not the coordinate axes, as real embeddings' are not:
   * a scalar quantization of each coordinate (i8, f16) would otherwise meet an unrealistically easy case.
   */
  private shapedInto(g: () => number, out: Float32Array): void {
    for (let k = 0; k < DIM; k++) out[k] = this.scale[k]! * g();
    for (const signs of this.signs) {
      for (let j = 0; j < DIM; j++) out[j]! *= signs[j]!;
      hadamard(out);
    }
  }

  /** distractors from..to−1 as enrolled faces (vectors are views of one block), for add() in chunks */
  distractorFaces(from: number, to: number): IndexedFace[] {
    const block = new Float32Array((to - from) * DIM);
    return Array.from({ length: to - from }, (_, i) => {
      this.distractorInto(from + i, block, i * DIM);
      return { id: `d${from + i}`, dossier: `d${from + i}`, watchList: 'distractors', vector: block.subarray(i * DIM, (i + 1) * DIM) };
    });
  }
}

/** In-place orthonormal Walsh–Hadamard transform of a power-of-two length vector. */
function hadamard(v: Float32Array): void {
  for (let h = 1; h < v.length; h *= 2) {
    for (let i = 0; i < v.length; i += 2 * h) {
      for (let j = i; j < i + h; j++) {
        const a = v[j]!;
        const b = v[j + h]!;
        v[j] = a + b;
        v[j + h] = a - b;
      }
    }
  }
  const s = 1 / Math.sqrt(v.length);
  for (let j = 0; j < v.length; j++) v[j]! *= s;
}
