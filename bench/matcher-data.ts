// The vectors of the matcher bench (bench/matcher.ts). There are not a million real faces, so:
// - real: the subject embedding of every photo of shared/data/faces/deepface/master.csv, people grouped by its
//   "Yes" pairs; the first photo of each enrolled person is enrolled, their other photos are queries (same person,
//   another photo), and the people held out are queries as strangers. Embedded once, cached per embedder model.
// - distractors: one dossier each, a random gaussian unit vector pulled towards the mean real embedding so that
//   two of them have the mean cosine of two different real people (0.03, docs/BENCHMARKS.md; the run prints the
//   measured cosines). Mixing the real embeddings instead made lookalikes of the 9 real people (the one with 8
//   photos had distractors closer to his photos than his own enrolled photo), an artefact of having so few people.
//   Random directions are also the hard case for a graph index (no low-dimensional structure to navigate).
// - synthetic queries: another "photo" of an enrolled distractor (its vector plus noise, cosine ≈ 0.78, the real
//   same-person median in docs/BENCHMARKS.md) and distractors never enrolled (strangers), enough for recall@1
//   to mean something.
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
export const DATA_VERSION = 'v3';
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

export class BenchVectors {
  /** the mean real embedding, unit length */
  private readonly mean = new Float32Array(DIM);
  readonly enrolledReal: IndexedFace[];
  readonly realQueries: { readonly file: string; readonly vector: Float32Array; readonly person: string | null }[];

  constructor(real: RealFaces) {
    const vec = (f: string) => Float32Array.from(real.vectors[f]!);
    const all = real.groups.flat().map(vec);
    for (const v of all) for (let j = 0; j < DIM; j++) this.mean[j]! += v[j]!;
    normalisedInto(this.mean, this.mean, 0);
    const enrolled = real.groups.slice(0, real.groups.length - HELD_OUT);
    this.enrolledReal = enrolled.map((g, i) => ({ id: g[0]!, dossier: `person-${i}`, watchList: 'real', vector: vec(g[0]!) }));
    this.realQueries = real.groups.flatMap((g, i) =>
      (i < enrolled.length ? g.slice(1) : g).map((file) => ({ file, vector: vec(file), person: i < enrolled.length ? `person-${i}` : null })),
    );
  }

  /** distractor n (dossier `d<n>`), written into out[offset …] */
  distractorInto(n: number, out: Float32Array, offset: number): void {
    const g = gaussian(rng(n * 2 + 1));
    // energy MEAN_COS along the mean, the rest spread evenly: two such vectors have cosine ≈ MEAN_COS
    const along = Math.sqrt(MEAN_COS);
    const sd = Math.sqrt((1 - MEAN_COS) / DIM);
    const v = new Float32Array(DIM);
    for (let j = 0; j < DIM; j++) v[j] = along * this.mean[j]! + sd * g();
    normalisedInto(v, out, offset);
  }

  distractor(n: number): Float32Array {
    const v = new Float32Array(DIM);
    this.distractorInto(n, v, 0);
    return v;
  }

  /** another "photo" of distractor n: its vector plus noise of norm ≈ OTHER_PHOTO_SIGMA */
  otherPhoto(n: number): Float32Array {
    const g = gaussian(rng(n * 2 + 2));
    const v = this.distractor(n);
    const sd = OTHER_PHOTO_SIGMA / Math.sqrt(DIM);
    for (let j = 0; j < DIM; j++) v[j]! += sd * g();
    const out = new Float32Array(DIM);
    normalisedInto(v, out, 0);
    return out;
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
