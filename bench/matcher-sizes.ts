// The parent's side of the matcher bench (bench/matcher.ts): every size, exact then HNSW, each in a child process
// of its own, and how far the HNSW answers agree with the exact ones. Kept apart from matcher.ts because a child
// loads that file from inside bench/memory.ts, which this one imports.
//
//   node bin/run-ts.js bench/matcher-sizes.ts [sizes]     e.g. 10000,100000 — prints the JSON results
import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { validateOrThrow } from '../config/validate.ts';
import { HnswConfig } from '../pipelines/match/config.ts';
import { BATCH, hnswFile, matchThreshold, MATCHER_SIZES, SYNTHETIC_QUERIES, type MatcherRun } from './matcher.ts';
import { runInChild, type Measured, type QuietGate } from './memory.ts';

const round = (v: number, digits: number) => Math.round(v * 10 ** digits) / 10 ** digits;

export interface MatcherRow {
  readonly exact: Measured<MatcherRun>;
  readonly hnsw: Measured<MatcherRun>;
  /** share of queries whose HNSW top-1 dossier is the exact index's, overall and on the real queries alone */
  readonly recallAt1: number;
  readonly recallAt1Real: number;
  /**
   * recall@1 over the queries whose exact top-1 reaches the threshold (a true match to find): among strangers the
   * "nearest" distractor is one of many near-equal ones, and missing it changes no decision
   */
  readonly recallAt1Matched: number;
  /** share of queries with the same decision (matched dossier, or none) at the threshold */
  readonly sameDecision: number;
}

export interface MatcherResults {
  readonly rows: readonly MatcherRow[];
  readonly threshold: number;
  readonly batch: number;
  readonly syntheticQueries: number;
}

function agreement(a: readonly (string | null)[], b: readonly (string | null)[], from = 0, to = a.length): number {
  let same = 0;
  for (let i = from; i < to; i++) if (a[i] === b[i]) same++;
  return to > from ? round(same / (to - from), 4) : 1;
}

function matchedRecall(top1: readonly (string | null)[], exact: MatcherRun): number {
  const matched = exact.decisions.flatMap((d, i) => (d === null ? [] : [i]));
  return matched.length ? round(matched.filter((i) => top1[i] === exact.top1[i]).length / matched.length, 4) : 1;
}

/** Every size, exact then HNSW, each in a child process. */
export async function measureMatcherSizes(sizes: readonly number[], log: (line: string) => void, gate?: QuietGate): Promise<MatcherResults> {
  const rows: MatcherRow[] = [];
  for (const size of sizes) {
    log(`matcher: exact index, ${size} faces`);
    const exact = await runInChild({ kind: 'matcher', size, index: 'exact' }, gate);
    log(`  build ${exact.value.buildS} s, ${exact.value.batchPerQueryMs} ms a query in batches, peak RSS ${exact.peakRssMb} MiB`);
    log(`matcher: HNSW index, ${size} faces${existsSync(hnswFile(size, validateOrThrow(HnswConfig, {}, 'hnsw'))) ? ' (graph cached)' : ' (building the graph: minutes at 1M)'}`);
    const hnsw = await runInChild({ kind: 'matcher', size, index: 'hnsw' }, gate);
    const real = exact.value.queries.real;
    const row = {
      exact,
      hnsw,
      recallAt1: agreement(hnsw.value.top1, exact.value.top1),
      recallAt1Real: agreement(hnsw.value.top1, exact.value.top1, 0, real),
      recallAt1Matched: matchedRecall(hnsw.value.top1, exact.value),
      sameDecision: agreement(hnsw.value.decisions, exact.value.decisions),
    };
    log(`  build ${hnsw.value.buildS} s, search p50 ${hnsw.value.searchP50Ms} ms p99 ${hnsw.value.searchP99Ms} ms, recall@1 ${row.recallAt1} (matched queries ${row.recallAt1Matched}), peak RSS ${hnsw.peakRssMb} MiB`);
    rows.push(row);
  }
  return { rows, threshold: matchThreshold(), batch: BATCH, syntheticQueries: SYNTHETIC_QUERIES };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const sizes = process.argv[2] ? process.argv[2].split(',').map(Number) : [...MATCHER_SIZES];
  console.log(JSON.stringify(await measureMatcherSizes(sizes, (l) => console.error(l)), null, 2));
}
