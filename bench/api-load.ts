// API latency under concurrent load (issue 4: "API p95 under concurrent load from a second process"). Three
// processes: `facestream serve` on a generated analytics set (bench/analytics-data.ts, cached in .cache/bench/api/;
// PGlite and chdb in that directory), a load generator (this file with --client) and the bench parent that starts
// both and reads the server's CPU time and peak memory from /proc. The generator keeps N connections busy for a
// fixed time with a mix of GET /events (typical filters), GET /statistics and GET /episodes, while one more
// connection posts a photo to POST /search/events at most once a second (searching costs a face detection and a
// scan of vectors). Requests go through Node's own fetch (undici, keep-alive), authenticated with a bearer token.
// Then enrolment throughput: every photo of shared/data/faces/deepface posted to POST /dossier-faces (each into a
// new dossier, made beforehand), one at a time and ENROL_CONCURRENCY at a time.
//
//   node bin/run-ts.js bench/api-load.ts [--rows N] [--connections N] [--seconds S]   prints the JSON results
import { spawn } from 'node:child_process';
import { closeSync, openSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { Value } from '@sinclair/typebox/value';
import { ClickHouseRetentionConfig } from '../stores/clickhouse/config.ts';
import { DEEPFACE_DIR, deepfacePath } from '../models/testing/deepface.ts';
import { quantile, round, runScriptInChild } from './analytics.ts';
import { CAMERAS, GROUPS, type Dataset } from './analytics-data.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const API_ROWS = 1_000_000;
/**
 * share of the API set's events with a (random unit) vector: all, as every event of the pipeline has one (and
 * search by photo answers 500 when a scanned event has a vector of another length, an empty one included)
 */
export const API_EMBEDDED_SHARE = 1;
export const API_CONNECTIONS = 16;
export const API_SECONDS = 30;
/** at most one search by photo a second */
const SEARCH_INTERVAL_MS = 1000;
const SEARCH_PHOTO = 'img1.jpg';
/** the first administrator's password in the bench's own store (made by serve on the first run) */
const BENCH_PASSWORD = 'facestream-bench-only';
const TOKEN_ENV = 'FACESTREAM_BENCH_TOKEN';
const DAY = 86_400_000;
const API = '/api/v1';

export interface RouteStats {
  readonly route: string;
  readonly what: string;
  readonly requests: number;
  /** answers other than 2xx, and requests that got no answer */
  readonly errors: number;
  readonly perSecond: number;
  readonly p50Ms: number;
  readonly p95Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

interface ClientResults {
  readonly seconds: number;
  readonly routes: readonly RouteStats[];
  /** first error answers, for the log */
  readonly errorSamples: readonly string[];
  readonly cpuS: number;
}

/** photos in flight in the second enrolment pass (the first sends one at a time): the machine's 2 cores */
const ENROL_CONCURRENCY = 2;

export interface EnrolmentRun {
  readonly concurrency: number;
  readonly photos: number;
  /** answered 2xx: a dossier face made */
  readonly enrolled: number;
  /** answered 422: no usable face in the photo */
  readonly noFace: number;
  /** any other answer, or none */
  readonly errors: number;
  readonly seconds: number;
  readonly photosPerSecond: number;
  readonly p50Ms: number;
  readonly p95Ms: number;
}

export interface ApiLoadResults {
  readonly dataset: Dataset;
  readonly generatedNow: boolean;
  readonly connections: number;
  readonly seconds: number;
  readonly requests: number;
  readonly perSecond: number;
  readonly errors: number;
  readonly routes: readonly RouteStats[];
  /** the serve process: CPU seconds during the load, cores it used, peak RSS (VmHWM) */
  readonly server: { readonly cpuS: number; readonly cores: number; readonly peakRssMb: number };
  readonly clientCpuS: number;
  readonly enrolment: readonly EnrolmentRun[];
}


// --- the load generator (the second process) ---

interface Route {
  readonly name: string;
  readonly what: string;
  /** share of the GET connections' requests */
  readonly weight: number;
  readonly path: (i: number) => string;
}

/** The GET mix; request i moves to another day of the last week and other cameras, as operators' screens do. */
function getRoutes(d: Dataset): Route[] {
  const iso = (ms: number) => new Date(ms).toISOString();
  const day = (i: number) => d.toMs - (1 + (i % 7)) * DAY;
  const range = (i: number) => `created_date_gte=${iso(day(i))}&created_date_lt=${iso(day(i) + DAY)}`;
  const cameras = (i: number) => Array.from({ length: 8 }, (_, k) => ((i * 8 + k) % CAMERAS) + 1).join(',');
  return [
    { name: 'GET /events', what: `one day, 8 of ${CAMERAS} cameras, matched only, 50 a page`, weight: 4, path: (i) => `${API}/events?${range(i)}&cameras=${cameras(i)}&matched=true&limit=50` },
    { name: 'GET /statistics', what: `per minute over one day by camera group (${GROUPS} groups)`, weight: 3, path: (i) => `${API}/statistics?interval=minute&group_by=camera_group&${range(i)}` },
    { name: 'GET /episodes', what: 'one day, newest 50', weight: 2, path: (i) => `${API}/episodes?${range(i)}&limit=50` },
  ];
}

async function runClient(o: { url: string; token: string; connections: number; seconds: number; dataset: Dataset }): Promise<ClientResults> {
  const cpu0 = process.cpuUsage();
  const routes = getRoutes(o.dataset);
  const search = { name: 'POST /search/events', what: `a photo (${SEARCH_PHOTO}), events of the last 7 days, at most 1 a second on 1 more connection` };
  const times = new Map<string, number[]>([...routes, search].map((r) => [r.name, []]));
  const errors = new Map<string, number>();
  const samples: string[] = [];
  const headers = { authorization: `Bearer ${o.token}` };
  const deadline = performance.now() + o.seconds * 1000;
  const send = async (name: string, path: string, init: RequestInit = {}) => {
    const t0 = performance.now();
    let failure: string | undefined;
    try {
      const res = await fetch(`${o.url}${path}`, { ...init, headers });
      const body = await res.text();
      if (!res.ok) failure = `${name} ${res.status}: ${body.slice(0, 200)}`;
    } catch (err) {
      failure = `${name}: ${(err as Error).message}`;
    }
    times.get(name)!.push(performance.now() - t0);
    if (failure !== undefined) {
      errors.set(name, (errors.get(name) ?? 0) + 1);
      if (samples.length < 5) samples.push(failure);
    }
  };
  // weighted round robin, interleaved (E S P E S P E S E for 4:3:2): the requests take the routes in this order
  const order = Array.from({ length: Math.max(...routes.map((r) => r.weight)) }, (_, k) => routes.filter((r) => r.weight > k)).flat();
  let next = 0;
  const getLoop = async (c: number) => {
    for (let i = c; performance.now() < deadline; i++) {
      const route = order[next++ % order.length]!;
      await send(route.name, route.path(i));
    }
  };
  const photo = new Blob([readFileSync(deepfacePath(SEARCH_PHOTO))], { type: 'image/jpeg' });
  const searchLoop = async () => {
    while (performance.now() < deadline) {
      const t0 = performance.now();
      const form = new FormData();
      form.set('photo', photo, SEARCH_PHOTO);
      form.set('created_date_gte', new Date(o.dataset.toMs - 7 * DAY).toISOString());
      await send(search.name, `${API}/search/events`, { method: 'POST', body: form });
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, SEARCH_INTERVAL_MS - (performance.now() - t0))));
    }
  };
  const t0 = performance.now();
  await Promise.all([...Array.from({ length: o.connections }, (_, c) => getLoop(c)), searchLoop()]);
  const seconds = (performance.now() - t0) / 1000;
  const stats = [...routes, search].map((r): RouteStats => {
    const xs = times.get(r.name)!.sort((a, b) => a - b);
    return {
      route: r.name,
      what: r.what,
      requests: xs.length,
      errors: errors.get(r.name) ?? 0,
      perSecond: round(xs.length / seconds),
      p50Ms: round(quantile(xs, 0.5)),
      p95Ms: round(quantile(xs, 0.95)),
      p99Ms: round(quantile(xs, 0.99)),
      maxMs: round(xs[xs.length - 1] ?? 0),
    };
  });
  const cpu = process.cpuUsage(cpu0);
  return { seconds: round(seconds, 2), routes: stats, errorSamples: samples, cpuS: round((cpu.user + cpu.system) / 1e6, 2) };
}

// --- the parent: data, server, client ---

/** user + system CPU seconds and peak RSS (MiB) of a running process, from /proc */
function processUsage(pid: number): { cpuS: number; peakRssMb: number } {
  // fields after the command's closing bracket: state is field 3, utime 14 and stime 15 (clock ticks of 1/100 s)
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const hwm = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return { cpuS: (Number(fields[11]) + Number(fields[12])) / 100, peakRssMb: Math.round(Number(hwm?.[1] ?? 0) / 1024) };
}

async function startServer(dir: string, log: (line: string) => void) {
  // retention off: the set's oldest events are 30 days old, and the default TTLs would start deleting them
  const retention = Object.fromEntries(Object.keys(Value.Default(ClickHouseRetentionConfig, {}) as object).map((k) => [k, 0]));
  const configFile = join(dir, 'bench-config.json');
  writeFileSync(configFile, JSON.stringify({ stores: { clickhouse: { retention } } }));
  const args = [join(root, 'bin', 'facestream.js'), 'serve', '--data-dir', dir, '--port', '0', '--config', configFile, '--log-level', 'warn'];
  // its JSON log (errors with their stacks) goes to a file beside the data, for when a route fails
  const logFile = openSync(join(dir, 'serve.log'), 'w');
  const server = spawn(process.execPath, args, { cwd: root, env: { ...process.env, FACESTREAM_ADMIN_PASSWORD: BENCH_PASSWORD }, stdio: ['ignore', logFile, 'pipe'] });
  closeSync(logFile);
  const exited = new Promise<void>((resolve) => server.once('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => reject(new Error(`facestream serve did not listen within 180 s:\n${text}`)), 180_000);
    server.stderr!.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      const m = /API listening on (http:\/\/\S+?) /.exec(text);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    server.once('exit', (code) => reject(new Error(`facestream serve ended (exit ${code}):\n${text}`)));
  });
  log(`  facestream serve (pid ${server.pid}) listening on ${url}, its log in ${join(dir, 'serve.log')}`);
  const stop = async () => {
    server.kill('SIGTERM');
    await exited;
  };
  return { pid: server.pid!, url, stop };
}

async function login(url: string): Promise<string> {
  const res = await fetch(`${url}${API}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: BENCH_PASSWORD }) });
  if (!res.ok) throw new Error(`login as admin failed: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { key: string }).key;
}

/** Every deepface photo through POST /dossier-faces, `concurrency` at a time, each into a dossier of its own. */
async function measureEnrolment(url: string, token: string, concurrency: number, log: (line: string) => void): Promise<EnrolmentRun> {
  const auth = { authorization: `Bearer ${token}` };
  const photos = readdirSync(DEEPFACE_DIR).filter((f) => f.endsWith('.jpg')).sort();
  const dossiers: number[] = [];
  for (const photo of photos) {
    const res = await fetch(`${url}${API}/dossiers`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ name: `bench ${photo} ${Date.now()}` }) });
    if (!res.ok) throw new Error(`POST /dossiers failed: ${res.status} ${await res.text()}`);
    dossiers.push(((await res.json()) as { id: number }).id);
  }
  const times: number[] = [];
  const statuses: number[] = [];
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < photos.length; i = next++) {
      const form = new FormData();
      form.set('dossier', String(dossiers[i]));
      form.set('mf_selector', 'biggest');
      form.set('source_photo', new Blob([readFileSync(deepfacePath(photos[i]!))], { type: 'image/jpeg' }), photos[i]);
      const t0 = performance.now();
      const res = await fetch(`${url}${API}/dossier-faces`, { method: 'POST', headers: auth, body: form }).catch(() => undefined);
      await res?.text();
      times.push(performance.now() - t0);
      statuses.push(res?.status ?? 0);
      if (res && !res.ok && res.status !== 422) log(`  enrolment of ${photos[i]}: ${res.status}`);
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = (performance.now() - t0) / 1000;
  times.sort((a, b) => a - b);
  const enrolled = statuses.filter((st) => st >= 200 && st < 300).length;
  const noFace = statuses.filter((st) => st === 422).length;
  return {
    concurrency,
    photos: photos.length,
    enrolled,
    noFace,
    errors: photos.length - enrolled - noFace,
    seconds: round(seconds, 2),
    photosPerSecond: round(photos.length / seconds, 2),
    p50Ms: round(quantile(times, 0.5)),
    p95Ms: round(quantile(times, 0.95)),
  };
}

export async function measureApiLoad(o: { rows: number; connections: number; seconds: number; log: (line: string) => void }): Promise<ApiLoadResults> {
  const { dataset, generatedNow, dir } = await runScriptInChild<{ dataset: Dataset; generatedNow: boolean; dir: string }>('analytics.ts', [
    '--fill-only',
    '--kind',
    'api',
    '--rows',
    String(o.rows),
    '--embedded-share',
    String(API_EMBEDDED_SHARE),
  ]);
  const server = await startServer(dir, o.log);
  try {
    const token = await login(server.url);
    const before = processUsage(server.pid);
    o.log(`  ${o.connections} connections for ${o.seconds} s, plus one for search by photo`);
    const client = await runScriptInChild<ClientResults>(
      'api-load.ts',
      ['--client', '--url', server.url, '--connections', String(o.connections), '--seconds', String(o.seconds), '--dataset', JSON.stringify(dataset)],
      { [TOKEN_ENV]: token },
    );
    const after = processUsage(server.pid);
    for (const sample of client.errorSamples) o.log(`  error: ${sample}`);
    const enrolment: EnrolmentRun[] = [];
    for (const concurrency of [1, ENROL_CONCURRENCY]) {
      o.log(`  enrolment: the deepface photos through POST /dossier-faces, ${concurrency} at a time`);
      enrolment.push(await measureEnrolment(server.url, token, concurrency, o.log));
      o.log(`    ${enrolment.at(-1)!.photosPerSecond} photos/s`);
    }
    const requests = client.routes.reduce((s, r) => s + r.requests, 0);
    const cpuS = round(after.cpuS - before.cpuS, 2);
    return {
      dataset,
      generatedNow,
      connections: o.connections,
      seconds: client.seconds,
      requests,
      perSecond: round(requests / client.seconds),
      errors: client.routes.reduce((s, r) => s + r.errors, 0),
      routes: client.routes,
      server: { cpuS, cores: round(cpuS / client.seconds, 2), peakRssMb: after.peakRssMb },
      clientCpuS: client.cpuS,
      enrolment,
    };
  } finally {
    await server.stop();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values } = parseArgs({
    options: {
      client: { type: 'boolean' },
      url: { type: 'string' },
      dataset: { type: 'string' },
      rows: { type: 'string' },
      connections: { type: 'string' },
      seconds: { type: 'string' },
      out: { type: 'string' },
    },
    strict: true,
  });
  const connections = Number(values.connections ?? API_CONNECTIONS);
  const seconds = Number(values.seconds ?? API_SECONDS);
  const result = values.client
    ? await runClient({ url: values.url!, token: process.env[TOKEN_ENV] ?? '', connections, seconds, dataset: JSON.parse(values.dataset!) as Dataset })
    : await measureApiLoad({ rows: Number(values.rows ?? API_ROWS), connections, seconds, log: (line) => console.error(line) });
  const json = `${JSON.stringify(result, null, 2)}\n`;
  if (values.out) writeFileSync(values.out, json);
  else process.stdout.write(json);
  process.exit(0);
}
