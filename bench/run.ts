// `npm run bench`: every benchmark, each task in a child process of its own (bench/memory.ts), then
// docs/BENCHMARKS.md from the results (bench/write-markdown.ts). Measures and records; asserts nothing.
//
//   npm run bench                               all parts, writes docs/BENCHMARKS.md
//   npm run bench -- --only speed,clips         a subset: prints the Markdown, writes a file only with --out
//   npm run bench -- --out FILE --json FILE     where to write the Markdown and the raw results
//   npm run bench -- --only matcher --into docs/BENCHMARKS.md   puts this run's sections into that file, the rest kept
//   npm run bench -- --seconds 30               length of the 720p throughput input (default 60)
//   npm run bench -- --quiet-wait 0             seconds the run may wait for other processes to go quiet (default 120)
//   npm run bench -- --only kafka               the Kafka part alone (a broker of its own; several minutes)
//   npm run bench -- --kafka-records 100000     embeddings replayed into match (its events into episodes); default 50000
//   npm run bench -- --kafka-track-records N    detections replayed into track; default 5000
//   npm run bench -- --only matcher             exact vs projected vs HNSW index at 10k and 100k faces (HNSW graphs cached)
//   npm run bench -- --matcher-sizes 10000,100000,1000000   other watch-list sizes (1M: HNSW graph builds of ~10–25 min each on 2 quiet cores, cached)
//   npm run bench -- --matcher-sizes 10000,100000,1000000 --matcher-random-up-to 100000   the random gallery at the smaller sizes only
//   npm run bench -- --matcher-sizes 10000,100000,1000000 --matcher-hnsw-up-to 100000     no HNSW graph at 1M (~30 min of build)
//   npm run bench -- --only camera-density      live 720p RTSP streams per box: a ramp of N cameras in one process (≤ 8 min)
//   npm run bench -- --only camera-density --density-streams 1,2 --density-seconds 10   given steps, a shorter window
//   npm run bench -- --only console             the operator console: JS + CSS gzipped, first screen in Chromium on loopback
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ANALYTICS_ROWS, ANALYTICS_RUNS, measureAnalyticsInChild } from './analytics.ts';
import { measureAnalyzeSpeed, measureClips } from './analyze-speed.ts';
import { API_CONNECTIONS, API_ROWS, API_SECONDS, measureApiLoad } from './api-load.ts';
import { DENSITY_DEFAULTS, measureCameraDensity } from './camera-density.ts';
import { machineInfo, oneMinuteLoad } from './machine.ts';
import { MATCHER_SIZES } from './matcher.ts';
import { measureMatcherSizes } from './matcher-sizes.ts';
import { QuietGate, runInChild, type Measured } from './memory.ts';
import type { LatencyReport } from './model-latency.ts';
import { renderMarkdown, spliceSections, type BenchResults } from './write-markdown.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const PARTS = ['latency', 'accuracy', 'speed', 'clips', 'kafka', 'matcher', 'enrolment-sync', 'analytics', 'api', 'camera-density', 'console'] as const;
type Part = (typeof PARTS)[number];
const DEFAULT_OUT = join(root, 'docs', 'BENCHMARKS.md');
const LATENCY_RUNS = 3;

const USAGE = `usage: npm run bench -- [--only ${PARTS.join(',')}] [--out FILE | --into FILE] [--json FILE] [--seconds N] [--quiet-wait S] [--kafka-records N] [--kafka-track-records N] [--matcher-sizes N,N] [--matcher-random-up-to N] [--matcher-hnsw-up-to N] [--analytics-rows N] [--api-rows N] [--api-connections N] [--api-seconds S] [--density-streams N,N] [--density-seconds S] [--density-budget S]
  latency   per-model latency on 1 and 2 threads, embeddings/s for batches 1/4/8
  accuracy  verification on master.csv (shipped threshold, TAR@FAR 1 %), gender on photos and on video, the unlabelled checks
  speed     facestream analyze on a 1280×720 25 fps loop: every frame, max_width 640, --fps 5
  clips     facestream analyze on each shared clip at native size
  kafka     on a real broker: latency frame → event and bytes per camera-second of facestream up (distributed, edge),
            records/s of the track, match and episodes stages over Kafka (exactly-once and at-least-once)
  matcher   exact vs projected vs HNSW face index on watch lists of 10k and 100k faces (--matcher-sizes for 1M): enrolment, search latency, recall@1, memory
  enrolment-sync  on a real broker: a dossier face committed → in a matcher's index (and deleted → gone), p50/p99 over 50 each
  analytics events pages and statistics over 10 M generated face events (--analytics-rows), p50/p95 (set cached in .cache/bench/analytics)
  api       facestream serve under load from a second process (--api-connections, --api-seconds): requests/s, p50/p95/p99 per route
  camera-density  how many live 720p 25 fps RTSP streams one process sustains (detection ≥ 5 fps each, event p95 ≤ 1 s): a ramp 1, 2, 4, 8, 12, 16, …
            until a step fails or --density-budget (480 s) ends; --density-streams gives the steps, --density-seconds the window (20)
  console   the operator console built as at install: JS and CSS gzipped; login screen usable after navigation in Debian's Chromium
            on loopback (fresh browser, empty cache, reload; 5 browsers: median and max)
The default runs all parts and writes docs/BENCHMARKS.md.`;

interface Options {
  readonly parts: Set<Part>;
  readonly out: string | undefined;
  readonly into: string | undefined;
  readonly json: string | undefined;
  readonly seconds: number;
  readonly quietWaitS: number;
  readonly kafkaRecords: number | undefined;
  readonly kafkaTrackRecords: number | undefined;
  readonly matcherSizes: readonly number[];
  /** the random gallery is measured at sizes up to this only (the goal is judged on the clustered one) */
  readonly matcherRandomUpTo: number;
  readonly matcherHnswUpTo: number;
  readonly analyticsRows: number;
  readonly api: { readonly rows: number; readonly connections: number; readonly seconds: number };
  readonly density: { readonly streams: readonly number[] | undefined; readonly windowS: number; readonly budgetS: number };
}

function parse(argv: readonly string[]): Options {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      only: { type: 'string' },
      out: { type: 'string' },
      into: { type: 'string' },
      json: { type: 'string' },
      seconds: { type: 'string' },
      'quiet-wait': { type: 'string' },
      'kafka-records': { type: 'string' },
      'kafka-track-records': { type: 'string' },
      'matcher-sizes': { type: 'string' },
      'matcher-random-up-to': { type: 'string' },
      'matcher-hnsw-up-to': { type: 'string' },
      'analytics-rows': { type: 'string' },
      'api-rows': { type: 'string' },
      'api-connections': { type: 'string' },
      'api-seconds': { type: 'string' },
      'density-streams': { type: 'string' },
      'density-seconds': { type: 'string' },
      'density-budget': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const requested = values.only ? values.only.split(',').map((p) => p.trim()).filter((p) => p !== '') : [...PARTS];
  const unknown = requested.filter((p) => !(PARTS as readonly string[]).includes(p));
  if (unknown.length > 0 || requested.length === 0) throw new Error(`--only: unknown part ${unknown.join(', ') || '(none given)'}\n${USAGE}`);
  const seconds = values.seconds === undefined ? 60 : Number(values.seconds);
  if (!Number.isInteger(seconds) || seconds < 1) throw new Error('--seconds: a whole number of seconds ≥ 1');
  const quietWaitS = values['quiet-wait'] === undefined ? 120 : Number(values['quiet-wait']);
  if (!Number.isFinite(quietWaitS) || quietWaitS < 0) throw new Error('--quiet-wait: seconds ≥ 0');
  const count = (flag: string, v: string | undefined) => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isInteger(n) || n < 100) throw new Error(`--${flag}: a whole number of records ≥ 100`);
    return n;
  };
  const kafkaRecords = count('kafka-records', values['kafka-records']);
  const kafkaTrackRecords = count('kafka-track-records', values['kafka-track-records']);
  const matcherSizes = values['matcher-sizes'] ? values['matcher-sizes'].split(',').map(Number) : [...MATCHER_SIZES];
  if (matcherSizes.some((n) => !Number.isInteger(n) || n < 1000)) throw new Error('--matcher-sizes: whole numbers of faces ≥ 1000, comma-separated');
  const whole = (flag: string, v: string | undefined, def: number, min: number) => {
    const n = v === undefined ? def : Number(v);
    if (!Number.isInteger(n) || n < min) throw new Error(`--${flag}: a whole number ≥ ${min}`);
    return n;
  };
  const matcherRandomUpTo = whole('matcher-random-up-to', values['matcher-random-up-to'], Number.MAX_SAFE_INTEGER, 0);
  const matcherHnswUpTo = whole('matcher-hnsw-up-to', values['matcher-hnsw-up-to'], Number.MAX_SAFE_INTEGER, 0);
  const analyticsRows = whole('analytics-rows', values['analytics-rows'], ANALYTICS_ROWS, 1000);
  const api = {
    rows: whole('api-rows', values['api-rows'], API_ROWS, 1000),
    connections: whole('api-connections', values['api-connections'], API_CONNECTIONS, 1),
    seconds: whole('api-seconds', values['api-seconds'], API_SECONDS, 1),
  };
  const densityStreams = values['density-streams']?.split(',').map(Number);
  if (densityStreams?.some((n) => !Number.isInteger(n) || n < 1)) throw new Error('--density-streams: whole numbers of streams ≥ 1, comma-separated');
  const density = {
    streams: densityStreams,
    windowS: whole('density-seconds', values['density-seconds'], DENSITY_DEFAULTS.windowS, 2),
    budgetS: whole('density-budget', values['density-budget'], DENSITY_DEFAULTS.budgetS, 1),
  };
  const parts = new Set(requested as Part[]);
  // a partial run must not replace the full file with fewer tables, unless asked to
  const out = values.out ?? (parts.size === PARTS.length ? DEFAULT_OUT : undefined);
  if (values.into && values.out) throw new Error('--into and --out: one or the other');
  return { parts, out, into: values.into, json: values.json, seconds, quietWaitS, kafkaRecords, kafkaTrackRecords, matcherSizes, matcherRandomUpTo, matcherHnswUpTo, analyticsRows, api, density };
}

/** How this run was started, for the "produced by" lines: through npm when npm started it. */
function commandOf(argv: readonly string[]): string {
  const args = argv.map((a) => (/^[\w./:=,-]+$/.test(a) ? a : `'${a}'`)).join(' ');
  if (process.env['npm_lifecycle_event'] === 'bench') return `npm run bench${args ? ` -- ${args}` : ''}`;
  return `node bin/run-ts.js bench/run.ts${args ? ` ${args}` : ''}`;
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const { parts, out, into, json, seconds, quietWaitS, kafkaRecords, kafkaTrackRecords, matcherSizes, matcherRandomUpTo, matcherHnswUpTo, analyticsRows, api, density } = parse(argv);
  const t0 = performance.now();
  const log = (line: string) => {
    const s = Math.round((performance.now() - t0) / 1000);
    console.log(`[${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}] ${line}`);
  };
  const started = new Date().toISOString();
  const machine = machineInfo();
  log(`bench: ${[...parts].join(', ')} on ${machine.cpuModel}, ${machine.cores} cores, load ${machine.loadAtStart}`);

  const gate = new QuietGate(quietWaitS, log);
  const baseline = await runInChild({ kind: 'baseline' });
  const results: { -readonly [K in keyof BenchResults]: BenchResults[K] } = {
    started,
    command: commandOf(argv),
    machine,
    loadAtEnd: 0,
    totalS: 0,
    waitedS: 0,
    baseline,
  };
  if (parts.has('latency')) {
    // repeated in fresh processes: on this 2-core VM the second ORT thread helps in some runs and not in others,
    // and a single run would report either as the truth
    const runs: Measured<LatencyReport>[] = [];
    for (let i = 1; i <= LATENCY_RUNS; i++) {
      log(`model latency and embeddings/s, run ${i} of ${LATENCY_RUNS}`);
      const run = await runInChild({ kind: 'latency' }, gate);
      log(`  embeddings/s by batch: ${JSON.stringify(run.value.embeddingsPerSecond)}, other load ${run.otherCores} cores`);
      runs.push(run);
    }
    results.latency = runs;
  }
  if (parts.has('accuracy')) {
    log('verification and attribute accuracy');
    results.accuracy = await runInChild({ kind: 'accuracy' }, gate);
    const a = results.accuracy.value;
    log(`  verification ${a.verification.accuracyAtThreshold} at ${a.verification.threshold}, TAR@FAR1% ${a.verification.tarAtFar1}, gender ${a.gender.accuracy}`);
    log('gender on the video clips whose people are known');
    results.videoGender = await runInChild({ kind: 'video-gender' }, gate);
    log(`  ${results.videoGender.value.correctEvents}/${results.videoGender.value.events} events, ${results.videoGender.value.correctTracks}/${results.videoGender.value.tracks} tracks`);
  }
  if (parts.has('speed')) results.speed = await measureAnalyzeSpeed({ seconds, log, gate });
  if (parts.has('clips')) results.clips = await measureClips(log, gate);
  if (parts.has('kafka')) {
    // loaded only when asked for: it brings kafkajs, the broker and `up` with it
    const { measureKafka } = await import('./kafka.ts');
    results.kafka = await measureKafka({
      log,
      gate,
      ...(kafkaRecords !== undefined ? { matchRecords: kafkaRecords } : {}),
      ...(kafkaTrackRecords !== undefined ? { trackRecords: kafkaTrackRecords } : {}),
    });
  }
  if (parts.has('matcher')) results.matcher = await measureMatcherSizes(matcherSizes, log, gate, { random: matcherRandomUpTo, hnsw: matcherHnswUpTo });
  let enrolmentSync = '';
  if (parts.has('enrolment-sync')) {
    const { measureEnrolmentSync, enrolmentSyncMarkdown } = await import('./enrolment-sync.ts');
    enrolmentSync = `\n${enrolmentSyncMarkdown(await measureEnrolmentSync({ log }), results.command)}`;
  }
  if (parts.has('analytics')) {
    await gate.wait();
    log(`analytics: events pages and statistics over ${analyticsRows.toLocaleString('en')} face events`);
    results.analytics = await measureAnalyticsInChild(analyticsRows, ANALYTICS_RUNS);
    for (const q of results.analytics.queries) log(`  ${q.name}: p50 ${q.p50Ms} ms, p95 ${q.p95Ms} ms`);
  }
  if (parts.has('api')) {
    await gate.wait();
    log(`api: facestream serve on ${api.rows.toLocaleString('en')} face events, load from a second process`);
    results.api = await measureApiLoad({ ...api, log });
    log(`  ${results.api.perSecond} requests/s, ${results.api.errors} errors; p95 ${results.api.routes.map((r) => `${r.route} ${r.p95Ms} ms`).join(', ')}`);
  }
  if (parts.has('camera-density')) {
    results.cameraDensity = await measureCameraDensity({ log, gate, windowS: density.windowS, budgetS: density.budgetS, ...(density.streams ? { streams: density.streams } : {}) });
    const { figure, ended } = results.cameraDensity;
    log(`  camera density: ${figure} stream${figure === 1 ? '' : 's'} met the criteria (the ramp ended: ${ended})`);
  }
  if (parts.has('console')) {
    // loaded only when asked for: it brings playwright-core and the API with it
    const { measureConsole } = await import('./console.ts');
    results.console = await measureConsole({ log, gate });
    log(`  console: JS ${(results.console.assets.jsGzipBytes / 1024).toFixed(1)} KB gzipped, ${results.console.runs.length} browsers measured`);
  }
  results.loadAtEnd = oneMinuteLoad();
  results.totalS = (performance.now() - t0) / 1000;
  results.waitedS = gate.waitedS;

  const markdown = renderMarkdown(results) + enrolmentSync;
  if (json) writeFileSync(json, `${JSON.stringify(results, null, 2)}\n`);
  if (into) {
    writeFileSync(into, spliceSections(readFileSync(into, 'utf8'), markdown));
    log(`put ${[...parts].join(', ')} into ${relative(process.cwd(), into)}`);
  } else if (out) {
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, markdown);
    log(`wrote ${relative(process.cwd(), out)}`);
  } else {
    process.stdout.write(`\n${markdown}`);
  }
  log(`done in ${Math.round(results.totalS)} s`);
}

try {
  await main();
} catch (err) {
  console.error(`bench: ${(err as Error).message}`);
  process.exitCode = 1;
}
