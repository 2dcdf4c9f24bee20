// The "Events and statistics over N rows" and "API under concurrent load" sections of docs/BENCHMARKS.md, and their
// rows of the goals table, from the analytics and api parts' results (pure).
import type { AnalyticsResults } from './analytics.ts';
import { CAMERAS, DAYS, DOSSIERS, GROUPS, MATCHED_PERCENT, WATCH_LISTS, type Dataset } from './analytics-data.ts';
import type { ApiLoadResults } from './api-load.ts';

/** The issue's goal: events query and per-minute statistics over 10 M rows in ≤ 300 ms. */
export const ANALYTICS_GOAL = { rows: 10_000_000, ms: 300 } as const;

const table = (head: readonly string[], rows: readonly (readonly (string | number)[])[]) =>
  [head, head.map(() => '---'), ...rows].map((cells) => `| ${cells.join(' | ')} |`).join('\n');
const count = (n: number) => n.toLocaleString('en');
const mib = (bytes: number) => Math.round(bytes / 2 ** 20).toLocaleString('en');

function datasetLine(d: Dataset, generatedNow: boolean, cacheDir: string): string {
  const vectors = d.embeddedShare === 0 ? 'no face vectors (the embedding column is empty: no events query or statistic reads it)' : `a unit vector of random direction in ${d.embeddedShare === 1 ? 'every event' : `${d.embeddedShare * 100} % of the events`} (search by photo scans them)`;
  return (
    `**Data.** ${count(d.rows)} face events generated inside chdb by \`INSERT … SELECT FROM numbers()\` (bench/analytics-data.ts) into the real schema (the product's migrations, so the statistics views filled as on every insert): ` +
    `${DAYS} days up to ${new Date(d.toMs).toISOString().slice(0, 10)}, posts of 4 per track, ${CAMERAS} cameras in ${GROUPS} groups, ${MATCHED_PERCENT} % of tracks matched to one of ${count(DOSSIERS)} dossiers on ${WATCH_LISTS} watch lists (every 5th dossier on two), 3 candidates, gender, age, emotion, eyes, liveness and head pose filled, one closed episode per track; ${vectors}. ` +
    `Generation took **${d.generationS} s**${generatedNow ? ' in this run' : ` (the run of ${d.generatedAt.slice(0, 10)}; cached in \`${cacheDir}\`)`}; face_events ${mib(d.bytesOnDisk)} MiB on disk; the views hold ${count(d.statsRows.minute)} per-minute, ${count(d.statsRows.hour)} per-hour and ${count(d.statsRows.day)} per-day rows.`
  );
}

/** The goal's row: judged only at the goal's size. */
export function analyticsGoalRow(r: AnalyticsResults): string[] {
  const goal = r.queries.filter((q) => q.underGoal);
  const worst = goal.reduce((a, b) => (b.p95Ms > a.p95Ms ? b : a));
  const atSize = r.dataset.rows >= ANALYTICS_GOAL.rows;
  return [
    `events query and per-minute statistics over ${count(ANALYTICS_GOAL.rows)} rows ≤ ${ANALYTICS_GOAL.ms} ms`,
    `over ${count(r.dataset.rows)} rows: slowest p95 ${worst.p95Ms} ms (${worst.name}); ${goal.filter((q) => q.p95Ms <= ANALYTICS_GOAL.ms).length} of ${goal.length} queries within`,
    !atSize ? `not judged (measured at ${count(r.dataset.rows)} rows)` : goal.every((q) => q.p95Ms <= ANALYTICS_GOAL.ms) ? 'met' : '**not met**',
  ];
}

export function analyticsSection(r: AnalyticsResults, produced: string, when: string): string {
  return [
    `## Events and statistics over ${count(r.dataset.rows)} rows`,
    '',
    `${produced} Measured ${when}.`,
    '',
    datasetLine(r.dataset, r.generatedNow, '.cache/bench/analytics/'),
    '',
    `**Queries.** The product's own functions, the ones GET /events and GET /statistics call (stores/clickhouse/events-query.ts, stats-query.ts), on the embedded chdb in one process (bench/analytics.ts), each ${r.runs} times after 2 warm-ups, moving from run to run to another day of the last week and other cameras. ` +
      `Time is the whole call: SQL, rows parsed into JS objects. face_events had ${r.parts} active parts (the events queries read it FINAL). Goal: p95 ≤ ${ANALYTICS_GOAL.ms} ms for the events queries and the per-minute statistics at ${count(ANALYTICS_GOAL.rows)} rows; the 30-day per-hour query is shown beside them. Peak RSS of the process: ${r.peakRssMb} MiB.`,
    '',
    table(
      ['query', 'what', 'rows returned', 'p50 (ms)', 'p95 (ms)', 'max (ms)', `p95 ≤ ${ANALYTICS_GOAL.ms} ms`],
      r.queries.map((q) => [q.name, q.what, count(q.rows), q.p50Ms, `**${q.p95Ms}**`, q.maxMs, q.underGoal ? (q.p95Ms <= ANALYTICS_GOAL.ms ? 'yes' : '**no**') : '(not under the goal)']),
    ),
  ].join('\n');
}

export function apiGoalRow(r: ApiLoadResults): string[] {
  return [
    'API p95 under concurrent load from a second process',
    `${r.connections} connections, ${r.perSecond} requests/s, ${r.errors} errors; p95 ${r.routes.map((x) => `${x.route} ${x.p95Ms} ms`).join(', ')}`,
    r.errors === 0 ? 'measured (the issue sets no number)' : '**errors**',
  ];
}

export function enrolmentGoalRow(r: ApiLoadResults): string[] {
  return [
    'enrolment throughput',
    r.enrolment.map((e) => `${e.photosPerSecond} photos/s ${e.concurrency} at a time (${e.enrolled} enrolled, ${e.noFace} without a usable face, ${e.errors} errors)`).join('; '),
    r.enrolment.every((e) => e.errors === 0) ? 'measured (the issue sets no number)' : '**errors**',
  ];
}

export function apiSection(r: ApiLoadResults, produced: string, when: string): string {
  return [
    '## API under concurrent load',
    '',
    `${produced} Measured ${when}.`,
    '',
    `Three processes (bench/api-load.ts): \`facestream serve\` (PGlite and chdb in \`.cache/bench/api/\`, retention off so the 30-day-old events stay, logged in as the first administrator), a load generator in a second process (Node's fetch, that is undici, keep-alive) and the bench itself. ` +
      `The generator keeps ${r.connections} connections busy for ${r.seconds} s, each sending its next request when the last is answered, in a fixed mix of 4 GET /events : 3 GET /statistics : 2 GET /episodes (each request on another day of the last week and other cameras), while one more connection posts a photo to search at most once a second. ` +
      `Latency is from sending the request to the end of the answer's body; an error is any answer other than 2xx or no answer.`,
    '',
    datasetLine(r.dataset, r.generatedNow, '.cache/bench/api/'),
    '',
    table(
      ['route', 'what', 'requests', 'requests/s', 'p50 (ms)', 'p95 (ms)', 'p99 (ms)', 'max (ms)', 'errors'],
      [
        ...r.routes.map((x) => [x.route, x.what, x.requests, x.perSecond, x.p50Ms, `**${x.p95Ms}**`, x.p99Ms, x.maxMs, x.errors]),
        ['**all**', '', r.requests, `**${r.perSecond}**`, '', '', '', '', `**${r.errors}**`],
      ],
    ),
    '',
    `The server used ${r.server.cpuS} CPU s during the load (${r.server.cores} cores of ${r.seconds} s; from /proc), peak RSS ${r.server.peakRssMb} MiB (the enrolment below included); the generator ${r.clientCpuS} CPU s.`,
    '',
    '### Enrolment throughput',
    '',
    `After the load, on the same server: each photo of \`shared/data/faces/deepface\` (${r.enrolment[0]?.photos ?? 0} JPEGs of the deepface test set, some with more than one face) posted as \`source_photo\` to POST /dossier-faces with \`mf_selector=biggest\`, each into a new active dossier made beforehand (not timed). ` +
      'An upload detects the faces, checks quality, embeds, stores the face and its thumbnail in PostgreSQL (PGlite), looks for duplicate dossiers and answers; the retro-match of past events (a scan of the vectors above) then runs in the background, beside the next uploads.',
    '',
    table(
      ['photos at a time', 'photos', 'enrolled', 'no usable face (422)', 'errors', 'seconds', 'photos/s', 'p50 (ms)', 'p95 (ms)'],
      r.enrolment.map((e) => [e.concurrency, e.photos, e.enrolled, e.noFace, e.errors, e.seconds, `**${e.photosPerSecond}**`, e.p50Ms, e.p95Ms]),
    ),
  ].join('\n');
}
