// The "Matcher at scale" section of docs/BENCHMARKS.md from the matcher bench's results (pure).
import type { MatcherResults } from './matcher-sizes.ts';

/** The issue's goal at 1M faces (issue 4, point 3). */
export const MATCHER_GOAL = { size: 1_000_000, p99Ms: 5, recallAt1: 0.99 } as const;

const table = (head: readonly string[], rows: readonly (readonly (string | number)[])[]) =>
  [head, head.map(() => '---'), ...rows].map((cells) => `| ${cells.join(' | ')} |`).join('\n');
const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(0);
const k = (n: number) => (n >= 1e6 ? `${n / 1e6}M` : `${n / 1e3}k`);

/** The goal's verdict, or undefined when 1M was not measured. */
export function matcherGoalRow(r: MatcherResults): string[] | undefined {
  const row = r.rows.find((x) => x.hnsw.value.size === MATCHER_GOAL.size);
  if (!row) return undefined;
  const h = row.hnsw.value;
  const ok = h.searchP99Ms <= MATCHER_GOAL.p99Ms && row.recallAt1Matched >= MATCHER_GOAL.recallAt1;
  return [
    `matcher at 1M faces: p99 ≤ ${MATCHER_GOAL.p99Ms} ms, recall@1 ≥ ${MATCHER_GOAL.recallAt1}`,
    `HNSW p99 ${h.searchP99Ms} ms, recall@1 ${row.recallAt1Matched} (queries with a match; ${row.recallAt1} over all)`,
    ok ? 'met' : '**not met**',
  ];
}

/** `when`: the run's start and commit, since `--into` may put this section into a file of another run */
export function matcherSection(r: MatcherResults, produced: string, when: string): string {
  const p = r.rows[0]?.hnsw.value.params;
  const q = r.rows[0]?.exact.value.queries;
  const goal = matcherGoalRow(r);
  return [
    '## Matcher at scale: exact and HNSW index',
    '',
    `${produced} Measured ${when}.`,
    `Each row pair is one watch list enrolled into the exact index (pipelines/match/exact-index.ts) and into the HNSW index (hnsw-index.ts, usearch; M ${p?.m}, ef_construction ${p?.ef_construction}, ef_search ${p?.ef_search}: the defaults of \`match.index.hnsw\`), each in a child process of its own (bench/matcher.ts).`,
    '',
    `**Vectors.** Enrolled: the first photo of each of the 7 enrolled people of \`faces/deepface/master.csv\` (people = photos joined by its "Yes" pairs), real 512-d embeddings of the bundled model; the rest of the list are distractors, one dossier each: gaussian random unit vectors pulled towards the mean real embedding so that two have cosine ≈ 0.03, as different real people do (measured between distractors: median ${r.rows[0]?.exact.value.distractorCos?.median}, p99 ${r.rows[0]?.exact.value.distractorCos?.p99}). ` +
      `Queries: ${q?.real} real photos (the other photos of the enrolled people, and the photos of 2 people held out as strangers), ${q?.otherPhoto} synthetic "other photos" of enrolled distractors (their vector plus noise, cosine ≈ 0.78 = the real same-person median) and ${q?.stranger} distractors never enrolled. ` +
      'Random directions have no low-dimensional structure for the graph to follow: a harder case than real galleries are likely to be.',
    '',
    `**Columns.** Enrolment: bulk add() of the whole list in chunks of 50,000 (HNSW on the native threads named), and one face at a time into the built index (what an API enrolment costs). Search: one query's search(), top 5 dossiers (exact: ${r.rows[0]?.exact.value.searchQueries} queries only, a JS scan; HNSW: every query, 1 thread); batch: searchMany() in batches of ${r.batch} as the match stage calls it (exact: the onnxruntime Gemm), ms per query. ` +
      `Recall@1: share of queries whose HNSW top-1 dossier is the exact index's — over the queries whose exact best reaches the shipped threshold ${r.threshold} (a match to find; the goal's figure) and over all queries (strangers' nearest distractor is one of many near-equal ones). Same decision: the matched dossier (or none) at ${r.threshold} agrees. Index bytes: the vector matrix (exact), the saved graph file (HNSW). Peak RSS: the child process, Node and the query vectors included.`,
    '',
    table(
      ['faces', 'index', 'bulk enrolment', 'one add / remove (ms)', 'search p50 / p99 (ms)', 'batch (ms a query)', 'recall@1 matched / all / real', 'same decision', 'real queries right', 'index (MiB)', 'peak RSS (MiB)', 'other load (cores)'],
      r.rows.flatMap((row) =>
        (['exact', 'hnsw'] as const).map((kind) => {
          const m = row[kind];
          const v = m.value;
          const build = `${v.buildS} s = ${Math.round(v.size / Math.max(v.buildS, 1e-3)).toLocaleString('en')} faces/s` + (kind === 'hnsw' ? ` (${v.buildThreads} threads${v.cached ? `; built ${v.cached.builtAt.slice(0, 10)}, loaded from .cache/bench in ${v.cached.loadS} s` : ''})` : '');
          return [
            k(v.size),
            kind,
            build,
            `${v.singleAddMs} / ${v.singleRemoveMs}`,
            `${v.searchP50Ms} / ${v.searchP99Ms}`,
            v.batchPerQueryMs,
            kind === 'hnsw' ? `**${row.recallAt1Matched}** / ${row.recallAt1} / ${row.recallAt1Real}` : '1 (reference)',
            kind === 'hnsw' ? row.sameDecision : '-',
            `${v.realRight}/${v.queries.real}`,
            mib(v.indexBytes),
            m.peakRssMb,
            m.otherCores.toFixed(2),
          ];
        }),
      ),
    ),
    '',
    goal ? `Goal at 1M faces (p99 ≤ ${MATCHER_GOAL.p99Ms} ms, recall@1 ≥ ${MATCHER_GOAL.recallAt1}): ${goal[1]} — ${goal[2]}.` : 'The 1M-face goal was not measured in this run.',
  ].join('\n');
}
