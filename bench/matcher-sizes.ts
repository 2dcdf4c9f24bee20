// The parent's side of the matcher bench (bench/matcher.ts): every size and gallery, the exact index then each
// approximate one (HNSW, projected), each in a child process of its own, and how far their answers (at each
// setting swept) agree with the exact ones. Kept apart
// from matcher.ts because a child loads that file from inside bench/memory.ts, which this one imports.
//
//   node bin/run-ts.js bench/matcher-sizes.ts [sizes]     e.g. 10000,100000 — prints the JSON results
import { pathToFileURL } from 'node:url';
import { GALLERIES, type Gallery } from './matcher-data.ts';
import { BATCH, hnswCached, matchThreshold, MATCHER_SIZES, SYNTHETIC_QUERIES, WARM_UP, type MatcherIndexKind, type MatcherRun, type MatcherSearch } from './matcher.ts';
import { runInChild, type Measured, type QuietGate } from './memory.ts';

const round = (v: number, digits: number) => Math.round(v * 10 ** digits) / 10 ** digits;

/** How one search setting of an approximate index agrees with the exact index. */
export interface MatcherAgreement {
  /** share of queries whose HNSW top-1 dossier is the exact index's, overall and on the real queries alone */
  readonly recallAt1: number;
  readonly recallAt1Real: number;
  /**
   * recall@1 over the queries whose exact top-1 reaches the threshold (a true match to find): among strangers the
   * "nearest" distractor is one of many near-equal ones, and missing it changes no decision
   */
  readonly recallAt1Matched: number;
  /**
   * over the same matched queries: share whose exact top-1 is among HNSW's 5 candidates — what a re-rank of the
   * candidates with exact float32 scores could reach at best (it cannot bring back a face the graph never reached)
   */
  readonly inTop5Matched: number;
  /** share of queries with the same decision (matched dossier, or none) at the threshold */
  readonly sameDecision: number;
}

export type ApproximateKind = Exclude<MatcherIndexKind, 'exact'>;
export const APPROXIMATE_KINDS: readonly ApproximateKind[] = ['projected', 'hnsw'];

export interface ApproximateRun {
  readonly kind: ApproximateKind;
  readonly run: Measured<MatcherRun>;
  /** one per run.value.searches entry */
  readonly agreement: readonly MatcherAgreement[];
}

export interface MatcherRow {
  readonly gallery: Gallery;
  readonly exact: Measured<MatcherRun>;
  readonly approximate: readonly ApproximateRun[];
}

export interface MatcherResults {
  readonly rows: readonly MatcherRow[];
  readonly threshold: number;
  readonly batch: number;
  /** untimed searches before each approximate index's setting is timed */
  readonly warmUp: number;
  readonly syntheticQueries: number;
}

function share(indices: readonly number[], ok: (i: number) => boolean): number {
  return indices.length ? round(indices.filter(ok).length / indices.length, 4) : 1;
}

export function agreementOf(hnsw: MatcherSearch, exact: MatcherSearch, realQueries: number): MatcherAgreement {
  const all = exact.top5.map((_, i) => i);
  const matched = all.filter((i) => exact.decisions[i] !== null);
  const sameTop1 = (i: number) => hnsw.top5[i]?.[0] === exact.top5[i]?.[0];
  return {
    recallAt1: share(all, sameTop1),
    recallAt1Real: share(all.slice(0, realQueries), sameTop1),
    recallAt1Matched: share(matched, sameTop1),
    inTop5Matched: share(matched, (i) => (hnsw.top5[i] ?? []).includes(exact.top5[i]?.[0] ?? '')),
    sameDecision: share(all, (i) => hnsw.decisions[i] === exact.decisions[i]),
  };
}

async function matcherChild(size: number, gallery: Gallery, index: MatcherIndexKind, gate?: QuietGate): Promise<Measured<MatcherRun>> {
  const run = await runInChild({ kind: 'matcher', size, gallery, index }, gate);
  if (!run.value) throw new Error('the matcher child measured nothing');
  return { ...run, value: run.value };
}

/**
 * Every size and gallery, exact then each approximate index, each in a child process; an HNSW graph not cached is
 * built in a child first. The random gallery and the HNSW index are measured up to the sizes given (a 1M graph
 * takes ~30 min to build on 2 cores).
 */
export async function measureMatcherSizes(
  sizes: readonly number[],
  log: (line: string) => void,
  gate?: QuietGate,
  upTo: { readonly random?: number; readonly hnsw?: number } = {},
): Promise<MatcherResults> {
  const rows: MatcherRow[] = [];
  for (const size of sizes) {
    for (const gallery of GALLERIES.filter((g) => g !== 'random' || size <= (upTo.random ?? Infinity))) {
      log(`matcher: exact index, ${size} faces, ${gallery} gallery`);
      const exact = await matcherChild(size, gallery, 'exact', gate);
      const e = exact.value.searches[0]!;
      log(`  build ${exact.value.buildS} s, ${e.batchPerQueryMs} ms a query in batches, peak RSS ${exact.peakRssMb} MiB`);
      const approximate: ApproximateRun[] = [];
      for (const kind of APPROXIMATE_KINDS.filter((x) => x !== 'hnsw' || size <= (upTo.hnsw ?? Infinity))) {
        if (kind === 'hnsw' && !hnswCached(gallery, size)) {
          log(`matcher: building the HNSW graph, ${size} faces, ${gallery} gallery (minutes at 1M)`);
          await runInChild({ kind: 'matcher', size, gallery, index: 'hnsw', buildOnly: true });
        }
        log(`matcher: ${kind} index, ${size} faces, ${gallery} gallery`);
        const run = await matcherChild(size, gallery, kind, gate);
        const agreement = run.value.searches.map((s) => agreementOf(s, e, exact.value.queries.real));
        run.value.searches.forEach((s, i) =>
          log(`  ${s.setting}: p50 ${s.searchP50Ms} ms p99 ${s.searchP99Ms} ms, recall@1 matched ${agreement[i]!.recallAt1Matched} (all ${agreement[i]!.recallAt1})`),
        );
        log(`  build ${run.value.buildS} s, RSS loaded ${run.value.rssLoadedMb} MiB, peak ${run.peakRssMb} MiB`);
        approximate.push({ kind, run, agreement });
      }
      rows.push({ gallery, exact, approximate });
    }
  }
  return { rows, threshold: matchThreshold(), batch: BATCH, warmUp: WARM_UP, syntheticQueries: SYNTHETIC_QUERIES };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const sizes = process.argv[2] ? process.argv[2].split(',').map(Number) : [...MATCHER_SIZES];
  console.log(JSON.stringify(await measureMatcherSizes(sizes, (l) => console.error(l)), null, 2));
}
