// Matcher at scale: the exact and the HNSW FaceIndex on watch lists of 10k, 100k and 1M faces (vectors:
// bench/matcher-data.ts). Each (size, index) runs in a child process of its own (bench/memory.ts), so its peak
// RSS is its own; the parent (matcher-sizes.ts) compares every query's top-1 with the exact index's for recall@1.
// This file is the child's side.
//
// The HNSW graph of a size is built once and saved under .cache/bench/matcher/ (keyed by size, M,
// ef_construction and the data version) with the time its build took; a later run loads it and reports that
// recorded build time, marked as such, instead of spending many minutes on 2 cores again.
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { validateOrThrow } from '../config/validate.ts';
import { HnswConfig } from '../pipelines/match/config.ts';
import { ExactFaceIndex } from '../pipelines/match/exact-index.ts';
import type { FaceIndex } from '../pipelines/match/face-index.ts';
import { HnswFaceIndex } from '../pipelines/match/hnsw-index.ts';
import { decideMatch } from '../pipelines/match/decide.ts';
import { BenchVectors, CACHE_DIR, DATA_VERSION, realFaces } from './matcher-data.ts';
import { findModel, loadManifest } from '../models/manifest.ts';

// 1M faces (the goal size) is left to `--matcher-sizes 10000,100000,1000000`: its HNSW graph takes hours to
// build on 2 cores (100k took 555 s), which would make every `npm run bench` that long.
export const MATCHER_SIZES = [10_000, 100_000] as const;
/** synthetic queries of each kind (another photo of an enrolled distractor; a stranger) */
export const SYNTHETIC_QUERIES = 500;
/** queries per searchMany call, as the match stage batches them */
export const BATCH = 32;
/** exact search() is timed on this many queries only: at 1M one takes about a second */
const EXACT_SINGLE_QUERIES = 20;
/** faces enrolled one at a time after the build: what an enrolment through the API costs */
const SINGLE_ADDS = 100;
const CHUNK = 50_000;
/** the shipped match threshold of the bundled embedder (model manifest): decisions are compared at it */
export function matchThreshold(): number {
  const t = findModel(loadManifest(), 'embedder')?.thresholds?.['match'];
  if (t === undefined) throw new Error('the model manifest gives the embedder no match threshold');
  return t;
}

export type MatcherIndexKind = 'exact' | 'hnsw';

export interface MatcherRun {
  readonly size: number;
  readonly index: MatcherIndexKind;
  /** HNSW parameters (exact: none) */
  readonly params: HnswConfig | null;
  /** seconds to enrol `size` faces in bulk (from the cache's record when loaded) */
  readonly buildS: number;
  /** native threads of that bulk build */
  readonly buildThreads: number;
  /** set when the graph was loaded from the cache: seconds the load took, and when the build ran */
  readonly cached: { readonly loadS: number; readonly builtAt: string } | null;
  /** ms per face enrolled one at a time into the built index, then removed again (mean of SINGLE_ADDS) */
  readonly singleAddMs: number;
  readonly singleRemoveMs: number;
  /** bytes of the index's own data: the saved graph (HNSW) or the vector matrix (exact) */
  readonly indexBytes: number;
  /** search() of one query, ms */
  readonly searchP50Ms: number;
  readonly searchP99Ms: number;
  readonly searchQueries: number;
  /** searchMany() in batches of BATCH, ms per query */
  readonly batchPerQueryMs: number;
  /** top-1 dossier of every query (order: real, synthetic other photos, synthetic strangers) */
  readonly top1: readonly (string | null)[];
  /** the decision (matched dossier or null) at the shipped threshold for every query */
  readonly decisions: readonly (string | null)[];
  readonly queries: { readonly real: number; readonly otherPhoto: number; readonly stranger: number };
  /** real queries whose matched dossier is their person's (enrolled) or none (strangers), out of the real queries */
  readonly realRight: number;
  /** cosine between distractors: median and p99 of 2,000 pairs; largest cosine of a real query to any of them */
  readonly distractorCos: { readonly median: number; readonly p99: number } | null;
}

const quantile = (sorted: readonly number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
const round = (v: number, digits: number) => Math.round(v * 10 ** digits) / 10 ** digits;

export function hnswFile(size: number, p: HnswConfig): string {
  return join(CACHE_DIR, `hnsw-${DATA_VERSION}-n${size}-m${p.m}-efc${p.ef_construction}.usearch`);
}

/** One (size, index) measured in this process. */
export async function measureMatcher(size: number, kind: MatcherIndexKind, buildThreads = 2): Promise<MatcherRun> {
  const vectors = new BenchVectors(await realFaces());
  const params = validateOrThrow(HnswConfig, {}, 'match.index.hnsw');
  const distractors = size - vectors.enrolledReal.length;
  const enrolAll = (index: FaceIndex) => {
    index.add(vectors.enrolledReal);
    for (let from = 0; from < distractors; from += CHUNK) index.add(vectors.distractorFaces(from, Math.min(distractors, from + CHUNK)));
  };

  let index: FaceIndex;
  let buildS: number;
  let cached: MatcherRun['cached'] = null;
  let indexBytes: number;
  if (kind === 'exact') {
    const exact = new ExactFaceIndex({ dossiers: [] });
    const t0 = performance.now();
    enrolAll(exact);
    buildS = (performance.now() - t0) / 1000;
    index = exact;
    indexBytes = exact.size * exact.dim * 4;
  } else {
    const file = hnswFile(size, params);
    if (existsSync(file) && existsSync(`${file}.build.json`)) {
      const t0 = performance.now();
      index = HnswFaceIndex.load(file, params);
      const record = JSON.parse(readFileSync(`${file}.build.json`, 'utf8')) as { buildS: number; buildThreads: number; builtAt: string };
      cached = { loadS: round((performance.now() - t0) / 1000, 2), builtAt: record.builtAt };
      buildS = record.buildS;
      buildThreads = record.buildThreads;
    } else {
      const hnsw = new HnswFaceIndex({ dossiers: [] }, params, buildThreads);
      const t0 = performance.now();
      enrolAll(hnsw);
      buildS = (performance.now() - t0) / 1000;
      mkdirSync(CACHE_DIR, { recursive: true });
      hnsw.save(file);
      writeFileSync(`${file}.build.json`, JSON.stringify({ buildS, buildThreads, builtAt: new Date().toISOString() }));
      index = hnsw;
    }
    indexBytes = statSync(file).size;
  }

  // queries: real photos, then another photo of enrolled distractors, then strangers (distractors never enrolled)
  const step = Math.max(1, Math.floor(distractors / SYNTHETIC_QUERIES));
  const others = Array.from({ length: SYNTHETIC_QUERIES }, (_, i) => vectors.otherPhoto(i * step));
  const strangers = Array.from({ length: SYNTHETIC_QUERIES }, (_, i) => vectors.distractor(size + i));
  const queries = [...vectors.realQueries.map((q) => q.vector), ...others, ...strangers];

  const timed = kind === 'exact' ? queries.slice(0, EXACT_SINGLE_QUERIES) : queries;
  const times: number[] = [];
  for (const q of timed) {
    const t0 = performance.now();
    index.search(q, 5);
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);

  const found = [];
  const t0 = performance.now();
  for (let i = 0; i < queries.length; i += BATCH) found.push(...(await index.searchMany(queries.slice(i, i + BATCH), 5)));
  const batchPerQueryMs = (performance.now() - t0) / queries.length;
  const threshold = matchThreshold();
  const decisions = found.map((c) => decideMatch(c, threshold).dossier);
  const realRight = vectors.realQueries.filter((q, i) => decisions[i] === q.person).length;

  // enrolment and deletion of single faces into the built index, as the API would do them
  const extra = vectors.distractorFaces(size + SYNTHETIC_QUERIES, size + SYNTHETIC_QUERIES + SINGLE_ADDS);
  const a0 = performance.now();
  for (const face of extra) index.add([face]);
  const singleAddMs = (performance.now() - a0) / SINGLE_ADDS;
  const r0 = performance.now();
  for (const face of extra) index.remove([face.id]);
  const singleRemoveMs = (performance.now() - r0) / SINGLE_ADDS;
  await index.close();

  const pairs = Array.from({ length: 2000 }, (_, i) => {
    const a = vectors.distractor(i * 2 * step);
    const b = vectors.distractor(i * 2 * step + 1);
    return a.reduce((s, x, j) => s + x * b[j]!, 0);
  }).sort((a, b) => a - b);

  return {
    size,
    index: kind,
    params: kind === 'hnsw' ? params : null,
    buildS: round(buildS, 1),
    buildThreads: kind === 'hnsw' ? buildThreads : 1,
    cached,
    singleAddMs: round(singleAddMs, 3),
    singleRemoveMs: round(singleRemoveMs, 3),
    indexBytes,
    searchP50Ms: round(quantile(times, 0.5), 3),
    searchP99Ms: round(quantile(times, 0.99), 3),
    searchQueries: times.length,
    batchPerQueryMs: round(batchPerQueryMs, 3),
    top1: found.map((c) => c[0]?.dossier ?? null),
    decisions,
    queries: { real: vectors.realQueries.length, otherPhoto: others.length, stranger: strangers.length },
    realRight,
    distractorCos: { median: round(quantile(pairs, 0.5), 3), p99: round(quantile(pairs, 0.99), 3) },
  };
}
