// Events query and statistics over a large face_events table (issue 4: "events query and per-minute statistics over
// 10 M rows, goal ≤ 300 ms"). The rows are made by bench/analytics-data.ts in an embedded chdb store and cached;
// the queries are the product's own (queryEvents, queryEventStats: what GET /events and GET /statistics run),
// each timed RUNS times after a warm-up, with its filters moved from run to run (another day, other cameras).
// Runs in a child process of its own: chdb binds one data directory per process.
//
//   node bin/run-ts.js bench/analytics.ts [--rows N] [--runs N]           measures, prints the JSON results
//   node bin/run-ts.js bench/analytics.ts --kind api --rows N --embedded-share 0.1 --fill-only   makes a set only
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type { ClickHouseClient } from '@clickhouse/client';
import { openClickHouse } from '../stores/clickhouse/client.ts';
import { encodeCursor, queryEvents, type EventQuery } from '../stores/clickhouse/events-query.ts';
import { migrate } from '../stores/clickhouse/migrate.ts';
import { TABLES } from '../stores/clickhouse/names.ts';
import { queryEventStats, type EventStatsQuery } from '../stores/clickhouse/stats-query.ts';
import { findModel, loadManifest } from '../models/manifest.ts';
import { peakRssMb } from './memory.ts';
import { CAMERAS, cachedDataset, clearIncomplete, datasetDir, DAYS, fillDataset, scalar, type Dataset } from './analytics-data.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const ANALYTICS_ROWS = 10_000_000;
export const ANALYTICS_RUNS = 20;
const WARMUP = 2;
const DAY = 86_400_000;
/** cameras in the "typical" events filter, of CAMERAS */
const FILTER_CAMERAS = 8;

export interface QueryTiming {
  readonly name: string;
  /** what the query asks, for the docs */
  readonly what: string;
  readonly p50Ms: number;
  readonly p95Ms: number;
  readonly maxMs: number;
  /** rows (events or statistics rows) the query returned, median over the runs */
  readonly rows: number;
  /** an events query or per-minute statistics: what the goal names */
  readonly underGoal: boolean;
}

export interface AnalyticsResults {
  readonly dataset: Dataset;
  /** whether this run made the set (false: loaded from .cache/bench/analytics/) */
  readonly generatedNow: boolean;
  readonly runs: number;
  readonly queries: readonly QueryTiming[];
  /** active parts of face_events when measured (FINAL merges across them) */
  readonly parts: number;
  readonly peakRssMb: number;
}

export const round = (v: number, digits = 1) => Math.round(v * 10 ** digits) / 10 ** digits;
/** the q-quantile of ascending `sorted` (nearest rank) */
export const quantile = (sorted: readonly number[], q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? 0;

/** The embedder's id: events carry it, and search by photo compares only vectors of the same model. */
export function embedderId(): string {
  const id = findModel(loadManifest(), 'embedder')?.id;
  if (id === undefined) throw new Error('the model manifest has no embedder');
  return id;
}

/** Opens (making it when not cached) the set of `kind` in `.cache/bench/`, in this process. */
export async function openDataset(kind: string, rows: number, embeddedShare: number, log: (line: string) => void) {
  const dir = datasetDir(root, kind, rows, embeddedShare);
  clearIncomplete(dir);
  const store = await openClickHouse({ kind: 'embedded', dataDir: join(dir, 'clickhouse') });
  const cached = cachedDataset(dir);
  if (cached) {
    log(`  ${kind} set of ${rows.toLocaleString('en')} rows cached in ${dir} (made in ${cached.generationS} s on ${cached.generatedAt.slice(0, 10)})`);
    return { store, dataset: cached, generatedNow: false, dir };
  }
  await migrate(store.client);
  log(`  generating ${rows.toLocaleString('en')} face events into ${dir}`);
  const dataset = await fillDataset(store.client, dir, { rows, embeddedShare, modelId: embedderId(), log });
  log(`  generated in ${dataset.generationS} s (${Math.round(dataset.bytesOnDisk / 2 ** 20)} MiB on disk)`);
  return { store, dataset, generatedNow: true, dir };
}

async function timed<T>(runs: number, make: (run: number) => Promise<() => Promise<T>>, size: (result: T) => number): Promise<Omit<QueryTiming, 'name' | 'what' | 'underGoal'>> {
  const times: number[] = [];
  const sizes: number[] = [];
  for (let i = -WARMUP; i < runs; i++) {
    const run = await make(i + WARMUP);
    const t0 = performance.now();
    const result = await run();
    if (i >= 0) {
      times.push(performance.now() - t0);
      sizes.push(size(result));
    }
  }
  times.sort((a, b) => a - b);
  sizes.sort((a, b) => a - b);
  return { p50Ms: round(quantile(times, 0.5)), p95Ms: round(quantile(times, 0.95)), maxMs: round(times[times.length - 1] ?? 0), rows: quantile(sizes, 0.5) };
}

/** A real cursor deep in the newest-first listing: the page that follows the last event before `beforeMs`. */
async function cursorBefore(client: ClickHouseClient, beforeMs: number): Promise<string> {
  const rs = await client.query({
    query: `SELECT toUnixTimestamp64Milli(ts) AS ts_ms, id FROM ${TABLES.faceEvents} WHERE ts < fromUnixTimestamp64Milli({t:Int64}, 'UTC') ORDER BY ts DESC, id DESC LIMIT 1`,
    query_params: { t: beforeMs },
    format: 'JSONEachRow',
  });
  const [row] = await rs.json<{ ts_ms: string; id: string }>();
  if (!row) throw new Error('the analytics set has no event before the cursor time');
  return encodeCursor(Number(row.ts_ms), row.id);
}

/** Times the queries over an open set. */
export async function measureQueries(client: ClickHouseClient, d: Dataset, runs: number): Promise<QueryTiming[]> {
  // run i looks at another day of the last week and another slice of the cameras
  const dayStart = (i: number) => d.toMs - (1 + (i % 7)) * DAY;
  const cameras = (i: number) => Array.from({ length: FILTER_CAMERAS }, (_, k) => String(((i * FILTER_CAMERAS + k) % CAMERAS) + 1));
  const events = (q: EventQuery) => () => queryEvents(client, q);
  const stats = (q: EventStatsQuery) => () => queryEventStats(client, q);
  const page = (p: Awaited<ReturnType<typeof queryEvents>>) => p.events.length;
  const n = (xs: readonly unknown[]) => xs.length;
  const out: QueryTiming[] = [];
  // every query but the 30-day one is what the goal names (events queries, per-minute statistics)
  const add = async <T>(name: string, what: string, make: (run: number) => Promise<() => Promise<T>>, size: (r: T) => number, underGoal = true) => {
    out.push({ name, what, underGoal, ...(await timed(runs, make, size)) });
  };
  await add(
    'events page, typical filters',
    `GET /events: one day, ${FILTER_CAMERAS} of ${CAMERAS} cameras, matched only, newest first, 50 a page`,
    async (i) => events({ filter: { from: dayStart(i), to: dayStart(i) + DAY, cameras: cameras(i), matched: true }, limit: 50 }),
    page,
  );
  await add('events page, no filter', 'GET /events with no filter (the default screen): the newest 50', async () => events({ limit: 50 }), page);
  await add(
    'events page deep in the cursor',
    `GET /events?page=…: the 50 events before a cursor ${DAYS / 2}–${DAYS / 2 + 6} days back (half the set newer), no filter`,
    async (i) => {
      const cursor = await cursorBefore(client, d.toMs - (DAYS / 2 + (i % 7)) * DAY);
      return events({ cursor, limit: 50 });
    },
    page,
  );
  await add(
    'events page deep in the cursor, typical filters',
    `the same deep cursor with ${FILTER_CAMERAS} cameras and matched only`,
    async (i) => {
      const cursor = await cursorBefore(client, d.toMs - (DAYS / 2 + (i % 7)) * DAY);
      return events({ cursor, filter: { cameras: cameras(i), matched: true }, limit: 50 });
    },
    page,
  );
  await add(
    'per-minute statistics over a day, by camera',
    `GET /statistics?interval=minute&group_by=camera over one day (${CAMERAS} cameras × 1,440 minutes)`,
    async (i) => stats({ granularity: 'minute', dimension: 'camera', from: dayStart(i), to: dayStart(i) + DAY }),
    n,
  );
  await add(
    'per-minute statistics over a day, by watch list',
    'GET /statistics?interval=minute&group_by=watch_list over one day',
    async (i) => stats({ granularity: 'minute', dimension: 'watch_list', from: dayStart(i), to: dayStart(i) + DAY }),
    n,
  );
  await add(
    'per-hour statistics over 30 days, by camera',
    `GET /statistics?interval=hour&group_by=camera over the whole ${DAYS} days`,
    async () => stats({ granularity: 'hour', dimension: 'camera', from: d.fromMs, to: d.toMs }),
    n,
    false,
  );
  return out;
}

/** The whole part, in this process: the set (made or loaded), then the queries. */
export async function measureAnalytics(rows: number, runs: number, log: (line: string) => void): Promise<AnalyticsResults> {
  const { store, dataset, generatedNow } = await openDataset('analytics', rows, 0, log);
  try {
    const queries = await measureQueries(store.client, dataset, runs);
    const parts = await scalar(store.client, `SELECT count() FROM system.parts WHERE active AND table = '${TABLES.faceEvents}'`);
    return { dataset, generatedNow, runs, queries, parts, peakRssMb: peakRssMb() };
  } finally {
    await store.close();
  }
}

/** Runs a bench script in a child process (stderr shown) and returns the JSON it wrote to `--out`. */
export async function runScriptInChild<T>(script: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'facestream-bench-'));
  const out = join(dir, 'result.json');
  try {
    const child = spawn(process.execPath, [join(root, 'bin', 'run-ts.js'), join(root, 'bench', script), ...args, '--out', out], {
      cwd: root,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    const code = await new Promise<number | null>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', resolve);
    });
    if (code !== 0) throw new Error(`bench/${script} failed (exit ${code})`);
    return JSON.parse(readFileSync(out, 'utf8')) as T;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The analytics part from bench/run.ts: in a child process. */
export function measureAnalyticsInChild(rows: number, runs: number): Promise<AnalyticsResults> {
  return runScriptInChild<AnalyticsResults>('analytics.ts', ['--rows', String(rows), '--runs', String(runs)]);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values } = parseArgs({
    options: {
      rows: { type: 'string' },
      runs: { type: 'string' },
      kind: { type: 'string' },
      'embedded-share': { type: 'string' },
      'fill-only': { type: 'boolean' },
      out: { type: 'string' },
    },
    strict: true,
  });
  const log = (line: string) => console.error(line);
  const rows = Number(values.rows ?? ANALYTICS_ROWS);
  let result: unknown;
  if (values['fill-only']) {
    const { store, dataset, generatedNow, dir } = await openDataset(values.kind ?? 'analytics', rows, Number(values['embedded-share'] ?? 0), log);
    await store.close();
    result = { dataset, generatedNow, dir };
  } else {
    result = await measureAnalytics(rows, Number(values.runs ?? ANALYTICS_RUNS), log);
  }
  const json = `${JSON.stringify(result, null, 2)}\n`;
  if (values.out) writeFileSync(values.out, json);
  else process.stdout.write(json);
  process.exit(0);
}
