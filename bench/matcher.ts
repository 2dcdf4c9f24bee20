// Matcher at scale: the exact, the projected and the HNSW FaceIndex on watch lists of 10k, 100k and 1M faces, on two galleries
// (bench/matcher-data.ts: `clustered`, shaped like real embeddings, and `random`, the worst case). Each (size,
// gallery, index) runs in a child process of its own (bench/memory.ts), so its memory is its own; the parent
// (matcher-sizes.ts) compares every query's top-1 with the exact index's for recall@1. This file is the child's side.
//
// The HNSW graph of a size is built once, in a child of its own, and saved under .cache/bench/matcher/ (keyed by
// gallery, size, M, ef_construction, quantization and the data version) with the time its build took; the
// measuring child loads it once per ef_search of EF_SEARCH (usearch fixes ef_search when an index is made), so a
// sweep costs no rebuild and a later run reports the recorded build time, marked as such. The projected index is
// built in the measuring child (~45 s at 1M, mostly making the synthetic vectors) and swept over its candidate list.
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { validateOrThrow } from '../config/validate.ts';
import { HnswConfig, ProjectedConfig } from '../pipelines/match/config.ts';
import { ExactFaceIndex } from '../pipelines/match/exact-index.ts';
import type { FaceIndex } from '../pipelines/match/face-index.ts';
import { HnswFaceIndex } from '../pipelines/match/hnsw-index.ts';
import { ProjectedFaceIndex } from '../pipelines/match/projected-index.ts';
import { decideGlobal } from '../pipelines/match/decide.ts';
import { BenchVectors, CACHE_DIR, DATA_VERSION, realFaces, type Gallery, type PairCosines } from './matcher-data.ts';
import { findModel, loadManifest } from '../models/manifest.ts';

// 1M faces (the goal size) is left to `--matcher-sizes 10000,100000,1000000`: its HNSW graph build takes
// tens of minutes on 2 shared cores, which would make every `npm run bench` that long the first time.
export const MATCHER_SIZES = [10_000, 100_000] as const;
/** ef_search values measured on each graph; the config default first (its load is the one whose RSS is reported) */
export function efSearchSweep(): number[] {
  const def = validateOrThrow(HnswConfig, {}, 'match.index.hnsw').ef_search;
  return [def, ...[64, 128, 256, 512, 1024].filter((ef) => ef !== def)];
}
/** synthetic queries of each kind (another photo of an enrolled distractor; a stranger) */
export const SYNTHETIC_QUERIES = 500;
/** queries per searchMany call, as the match stage batches them */
export const BATCH = 32;
/** searches run untimed before each setting of the approximate indexes is timed */
export const WARM_UP = 2000;
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

export type MatcherIndexKind = 'exact' | 'hnsw' | 'projected';

/** candidate lists measured on the projected index's codes; the config default first */
export function candidatesSweep(): number[] {
  const def = validateOrThrow(ProjectedConfig, {}, 'match.index.projected').candidates;
  return [def, ...[256, 512, 1024, 2048].filter((c) => c !== def)];
}

/** What a child does: build (and cache) the HNSW graph of a size, or measure an index on it. */
export interface MatcherTask {
  readonly size: number;
  readonly gallery: Gallery;
  readonly index: MatcherIndexKind;
  readonly buildOnly?: boolean;
}

/** One setting of an approximate index (ef_search, candidates) or the exact scan, on every query. */
export interface MatcherSearch {
  /** the setting in words (`ef_search 512`, `candidates 512`); null for the exact index */
  readonly setting: string | null;
  /** search() of one query, ms */
  readonly searchP50Ms: number;
  readonly searchP99Ms: number;
  readonly searchQueries: number;
  /** searchMany() in batches of BATCH, ms per query */
  readonly batchPerQueryMs: number;
  /** top-5 dossiers of every query, best first (order: real, synthetic other photos, synthetic strangers) */
  readonly top5: readonly (readonly string[])[];
  /** the decision (matched dossier or null) at the shipped threshold for every query */
  readonly decisions: readonly (string | null)[];
  /** real queries whose matched dossier is their person's (enrolled) or none (strangers), out of the real queries */
  readonly realRight: number;
}

export interface MatcherRun {
  readonly size: number;
  readonly gallery: Gallery;
  readonly index: MatcherIndexKind;
  /** the index's parameters in words (exact: none); the swept one is the default's, the sweep is in `searches` */
  readonly params: string | null;
  /** seconds to enrol `size` faces in bulk (HNSW: from the cache's record) */
  readonly buildS: number;
  /** native threads of that bulk build */
  readonly buildThreads: number;
  /** HNSW: seconds the load of the saved graph took, and when the build ran */
  readonly cached: { readonly loadS: number; readonly builtAt: string } | null;
  /** ms per face enrolled one at a time into the built index, then removed again (mean of SINGLE_ADDS) */
  readonly singleAddMs: number;
  readonly singleRemoveMs: number;
  /** bytes of the index's own data: the saved graph (HNSW) or the vector matrix (exact) */
  readonly indexBytes: number;
  /** resident memory of the process once the index is built or loaded (before any sweep), MiB */
  readonly rssLoadedMb: number;
  readonly searches: readonly MatcherSearch[];
  readonly queries: { readonly real: number; readonly otherPhoto: number; readonly stranger: number };
  /** cosines of the real photos' pairs and of the synthetic gallery's */
  readonly cosines: { readonly real: PairCosines; readonly synthetic: PairCosines };
}

const quantile = (sorted: readonly number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
const round = (v: number, digits: number) => Math.round(v * 10 ** digits) / 10 ** digits;

export function hnswFile(gallery: Gallery, size: number, p: HnswConfig): string {
  return join(CACHE_DIR, `hnsw-${gallery}-${DATA_VERSION}-n${size}-m${p.m}-efc${p.ef_construction}-${p.quantization}.usearch`);
}

function projectedWords(): string {
  const p = validateOrThrow(ProjectedConfig, {}, 'match.index.projected');
  return `${p.dims} principal axes (int8 codes of ${p.dims} bytes), ${p.threads} scan thread${p.threads > 1 ? 's' : ''}`;
}

const rssMb = () => Math.round(process.memoryUsage().rss / 2 ** 20);

function enrolAll(index: FaceIndex, vectors: BenchVectors, size: number): void {
  index.add(vectors.enrolledReal);
  const distractors = size - vectors.enrolledReal.length;
  for (let from = 0; from < distractors; from += CHUNK) index.add(vectors.distractorFaces(from, Math.min(distractors, from + CHUNK)));
}

/** Builds the HNSW graph of `task` on `threads` native threads and caches it with its build time. */
async function buildHnsw(task: MatcherTask, threads: number): Promise<void> {
  const params = validateOrThrow(HnswConfig, {}, 'match.index.hnsw');
  const vectors = new BenchVectors(await realFaces(), task.gallery);
  const hnsw = new HnswFaceIndex({ dossiers: [] }, params, threads);
  const t0 = performance.now();
  enrolAll(hnsw, vectors, task.size);
  const buildS = (performance.now() - t0) / 1000;
  const file = hnswFile(task.gallery, task.size, params);
  mkdirSync(CACHE_DIR, { recursive: true });
  hnsw.save(file);
  writeFileSync(`${file}.build.json`, JSON.stringify({ buildS, buildThreads: threads, builtAt: new Date().toISOString() }));
}

export function hnswCached(gallery: Gallery, size: number): boolean {
  const file = hnswFile(gallery, size, validateOrThrow(HnswConfig, {}, 'match.index.hnsw'));
  return existsSync(file) && existsSync(`${file}.build.json`);
}

/** One (size, gallery, index) measured in this process; `buildOnly`: the HNSW graph built and cached, nothing measured. */
export async function measureMatcher(task: MatcherTask, buildThreads = 2): Promise<MatcherRun | null> {
  if (task.buildOnly) {
    await buildHnsw(task, buildThreads);
    return null;
  }
  const { size, gallery, index: kind } = task;
  const vectors = new BenchVectors(await realFaces(), gallery);
  const params = validateOrThrow(HnswConfig, {}, 'match.index.hnsw');
  const distractors = size - vectors.enrolledReal.length;
  // queries: real photos, then another photo of enrolled distractors, then strangers (distractors never enrolled)
  const step = Math.max(1, Math.floor(distractors / SYNTHETIC_QUERIES));
  const others = Array.from({ length: SYNTHETIC_QUERIES }, (_, i) => vectors.otherPhoto(i * step));
  const strangers = Array.from({ length: SYNTHETIC_QUERIES }, (_, i) => vectors.distractor(size + i));
  const queries = [...vectors.realQueries.map((q) => q.vector), ...others, ...strangers];
  const threshold = matchThreshold();

  const measureSearch = async (index: FaceIndex, setting: string | null): Promise<MatcherSearch> => {
    const timed = kind === 'exact' ? queries.slice(0, EXACT_SINGLE_QUERIES) : queries;
    // untimed first searches: the JIT, the first onnxruntime runs, and the garbage a fresh build leaves (the first
    // ~1,000 searches on a projected index just built at 1M faces had a p99 ~1.5 ms higher than later ones)
    const warmUp = kind === 'exact' ? 2 : WARM_UP;
    for (let i = 0; i < warmUp; i++) await index.search(timed[i % timed.length]!, 5);
    const times: number[] = [];
    for (const q of timed) {
      const t0 = performance.now();
      await index.search(q, 5);
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    const found = [];
    const t0 = performance.now();
    for (let i = 0; i < queries.length; i += BATCH) found.push(...(await index.searchMany(queries.slice(i, i + BATCH), 5)));
    const batchPerQueryMs = (performance.now() - t0) / queries.length;
    const decisions = found.map((c) => decideGlobal(c, threshold).decision.dossier);
    return {
      setting,
      searchP50Ms: round(quantile(times, 0.5), 3),
      searchP99Ms: round(quantile(times, 0.99), 3),
      searchQueries: times.length,
      batchPerQueryMs: round(batchPerQueryMs, 3),
      top5: found.map((c) => c.map((x) => x.dossier)),
      decisions,
      realRight: vectors.realQueries.filter((q, i) => decisions[i] === q.person).length,
    };
  };

  // enrolment and deletion of single faces into the built index, as the API would do them
  const singleAddRemove = (index: FaceIndex) => {
    const extra = vectors.distractorFaces(size + SYNTHETIC_QUERIES, size + SYNTHETIC_QUERIES + SINGLE_ADDS);
    const a0 = performance.now();
    for (const face of extra) index.add([face]);
    const singleAddMs = (performance.now() - a0) / SINGLE_ADDS;
    const r0 = performance.now();
    for (const face of extra) index.remove([face.id]);
    return { singleAddMs: round(singleAddMs, 3), singleRemoveMs: round((performance.now() - r0) / SINGLE_ADDS, 3) };
  };

  let buildS: number;
  let buildThreadsUsed = 1;
  let cached: MatcherRun['cached'] = null;
  let indexBytes: number;
  let rssLoadedMb: number;
  let single: { singleAddMs: number; singleRemoveMs: number };
  const searches: MatcherSearch[] = [];
  if (kind === 'exact') {
    const exact = new ExactFaceIndex({ dossiers: [] });
    const t0 = performance.now();
    enrolAll(exact, vectors, size);
    buildS = (performance.now() - t0) / 1000;
    rssLoadedMb = rssMb();
    indexBytes = exact.size * exact.dim * 4;
    searches.push(await measureSearch(exact, null));
    single = singleAddRemove(exact);
    await exact.close();
  } else if (kind === 'projected') {
    const projectedParams = validateOrThrow(ProjectedConfig, {}, 'match.index.projected');
    const projected = new ProjectedFaceIndex({ dossiers: [] }, projectedParams);
    const t0 = performance.now();
    enrolAll(projected, vectors, size);
    // the codes are made on the first search: part of what a bulk enrolment costs before the list is searchable
    await projected.searchMany([queries[0]!], 1);
    buildS = (performance.now() - t0) / 1000;
    rssLoadedMb = rssMb();
    indexBytes = projected.size * (projectedParams.dims + 4 * projected.dim);
    const defaultCandidates = projectedParams.candidates;
    for (const candidates of candidatesSweep()) {
      // read on every search, so one set of codes serves the whole sweep
      projectedParams.candidates = candidates;
      searches.push(await measureSearch(projected, `candidates ${candidates}`));
    }
    projectedParams.candidates = defaultCandidates;
    single = singleAddRemove(projected);
    await projected.close();
  } else {
    const file = hnswFile(gallery, size, params);
    if (!hnswCached(gallery, size)) await buildHnsw(task, buildThreads);
    const record = JSON.parse(readFileSync(`${file}.build.json`, 'utf8')) as { buildS: number; buildThreads: number; builtAt: string };
    buildS = record.buildS;
    buildThreadsUsed = record.buildThreads;
    indexBytes = statSync(file).size;
    rssLoadedMb = 0;
    single = { singleAddMs: 0, singleRemoveMs: 0 };
    for (const ef of efSearchSweep()) {
      const t0 = performance.now();
      const hnsw = HnswFaceIndex.load(file, { ...params, ef_search: ef });
      if (ef === params.ef_search) {
        cached = { loadS: round((performance.now() - t0) / 1000, 2), builtAt: record.builtAt };
        rssLoadedMb = rssMb();
      }
      searches.push(await measureSearch(hnsw, `ef_search ${ef}`));
      if (ef === params.ef_search) single = singleAddRemove(hnsw);
      await hnsw.close();
    }
  }

  return {
    size,
    gallery,
    index: kind,
    params: kind === 'hnsw' ? `M ${params.m}, ef_construction ${params.ef_construction}, ${params.quantization} vectors` : kind === 'projected' ? projectedWords() : null,
    buildS: round(buildS, 1),
    buildThreads: buildThreadsUsed,
    cached,
    ...single,
    indexBytes,
    rssLoadedMb,
    searches,
    queries: { real: vectors.realQueries.length, otherPhoto: others.length, stranger: strangers.length },
    cosines: { real: vectors.real, synthetic: vectors.syntheticCosines() },
  };
}
