// One step of the camera-density bench: N live RTSP cameras in this one process, run as `facestream serve` runs
// them: cameras in PostgreSQL (PGlite here, as serve's default), the camera manager (pipelines/cameras/manager.ts)
// adding one ingest source per camera (RTSP over TCP, its stream_settings' detection fps) to the running graph of
// serve's camera path (detect, track, embed, match against a watch list, episodes; serve's analytics sinks,
// notifications and counters are left out). The cameras join one by one (DensityTask.staggerS); it waits until every
// camera has had a frame through detection, lets them run a warm-up,
// then records a measuring window: per frame, its capture time and when its detections came out; per event, when
// it left match; the manager's health counters; this process's CPU time and memory. The raw figures go to the result
// file; the parent (bench/camera-density.ts) makes the statistics.
//
// Capture time: the cameras' use_stream_timestamp, so a frame's ts is the moment its stream was asked for plus its
// stream time. The server sends each frame at that moment, so a facestream that falls behind shows it as latency
// (dated on arrival instead, a backlog in the socket would look like no delay at all).
//
//   node bin/run-ts.js bench/camera-density-child.ts '<DensityTask json>' <result file>
// Prints {"mark":"window-start"} and {"mark":"window-end"} on stdout, so the parent can read the RTSP server's
// CPU time over the same window.
import '../pipelines/ingest/promise-with-resolvers.ts';
import { writeFileSync, renameSync } from 'node:fs';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { createRunContext } from '../cli/context.ts';
import { CameraManager } from '../pipelines/cameras/manager.ts';
import type { CameraCounters } from '../pipelines/cameras/health.ts';
import { setFfmpegLogging } from '../pipelines/ingest/ffmpeg-log.ts';
import { systemClock } from '../pipelines/runtime/stage.ts';
import type { FaceEvent, FrameDetections } from '../schemas/records.ts';
import { migrate } from '../stores/postgres/migrate.ts';
import { openPglite } from '../stores/postgres/pglite-db.ts';
import { createCamera } from '../stores/postgres/repositories/cameras.ts';
import { buildGraph, type InProcessRun } from '../topologies/build-inproc.ts';
import { SERVE_PER_CAMERA } from '../topologies/serve.ts';
import type { StageName } from '../pipelines/registry.ts';
import type { Detected } from './camera-density-stats.ts';

export interface DensityTask {
  readonly urls: readonly string[];
  readonly watchlistDir: string;
  /** detection frames/s per stream (ingest.fps) */
  readonly fps: number;
  /**
   * the cameras join one after another over this many seconds (camera k at k/N of it), as independent cameras are
   * switched on: each stream starts at the clip's beginning when it joins, so their faces come at different instants
   */
  readonly staggerS: number;
  readonly warmupS: number;
  readonly windowS: number;
  /** after the window, how long frames captured in it may still come out of detection */
  readonly graceS: number;
  /** seconds to wait for every camera's first detection before giving up */
  readonly startTimeoutS: number;
}

export interface DensityChildResult {
  /** from this process's start to every camera's first frame through detection (models, watch list, the cameras' staggered joining, RTSP opens) */
  readonly startupS: number;
  readonly windowFromMs: number;
  readonly windowToMs: number;
  /** per camera, the frames captured from the warm-up on */
  readonly frames: Readonly<Record<string, readonly Detected[]>>;
  /** per event that left match after the warm-up: the camera, the ms from the capture of the frame that made the post (the track's newest) and from the best shot's */
  readonly events: ReadonlyArray<{ readonly camera: string; readonly postFrameMs: number; readonly bestShotMs: number; readonly capturedMs: number; readonly matched: boolean }>;
  /** user + system CPU seconds of this process (all threads) over the window, and the wall seconds they were read over (the window, give or take a late timer) */
  readonly cpuS: number;
  readonly cpuWallS: number;
  /** resident set size with the models, the watch list and PGlite loaded and no camera started (after a full GC), MiB */
  readonly baseRssMb: number;
  /** resident set size at the window's end (after a full GC) and this process's peak, MiB */
  readonly rssMb: number;
  readonly peakRssMb: number;
  /** records a stage could not process */
  readonly deadLetters: number;
  /** the camera manager's counters of each camera over the window (end less start) */
  readonly counters: Readonly<Record<string, Pick<CameraCounters, 'frames_processed' | 'frames_dropped' | 'decoding_soft_errors' | 'job_starts'>>>;
}

/** the stages of serve's graph that a camera's frames go through; the sinks, notifications and counters are not measured */
const CAMERA_PATH: readonly StageName[] = ['ingest', 'detect', 'track', 'embed', 'match', 'episodes'];

const mark = (m: string) => process.stdout.write(`${JSON.stringify({ mark: m })}\n`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Resident set size after a full garbage collection (the parent starts this process with --expose-gc), MiB: the
 * migrations leave hundreds of MiB of garbage that a later collection frees, which would make the base look larger
 * than the running process.
 */
async function settledRssMb(): Promise<number> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('camera-density child: run node with --expose-gc');
  gc();
  await sleep(200);
  gc();
  return Math.round(process.memoryUsage.rss() / 2 ** 20);
}

async function run(task: DensityTask): Promise<DensityChildResult> {
  const logger = pino({ level: 'warn' }, pino.destination(2));
  setFfmpegLogging(false);
  // side by side: PGlite compiles its WASM while the models load
  const [ctx, db] = await Promise.all([
    createRunContext({ overrides: {}, watchlistDir: task.watchlistDir, onRejected: (m) => console.error(`camera-density: watch list: skipped ${m}`) }),
    openPglite().then(async (opened) => {
      await migrate(opened);
      return opened;
    }),
  ]);
  const baseRssMb = await settledRssMb();
  const frames = new Map<string, Detected[]>();
  const events: DensityChildResult['events'][number][] = [];
  let recordFrom = Infinity;
  let deadLetters = 0;
  const stop = new AbortController();
  // the manager adds its sources to the graph, which is built with the manager's taps: they meet through `run`
  let run: InProcessRun | undefined;
  const manager = new CameraManager({ db, graph: { addSource: (...args) => run!.addSource(...args) }, config: ctx.config, logger, clock: systemClock });
  const counting = manager.taps();
  run = buildGraph(CAMERA_PATH, {
    deps: { config: ctx.config, models: ctx.models, index: ctx.index },
    sourcesAdded: SERVE_PER_CAMERA,
    taps: {
      detections: [
        counting.detections,
        (d) => {
          const f = (d as FrameDetections).frame;
          frames.get(f.camera)?.push({ captureMs: f.ts, detectedMs: Date.now() });
        },
      ],
      faces: [counting.faces],
      matches: [
        (r) => {
          const now = Date.now();
          const post = (r as FaceEvent).embedding.post;
          if (post.trackLastTs < recordFrom) return;
          events.push({ camera: post.camera, postFrameMs: now - post.trackLastTs, bestShotMs: now - post.frame.ts, capturedMs: post.trackLastTs, matched: (r as FaceEvent).matched });
        },
      ],
    },
    logger,
    registry: new Registry(),
    clock: systemClock,
    signal: stop.signal,
    onDeadLetter: (l) => {
      deadLetters++;
      manager.deadLetter(l);
    },
  });
  let failed: unknown = null;
  const running = run.graph.run().catch((err: unknown) => void (failed = err));
  await manager.start();
  const started = Date.now();
  for (const [k, url] of task.urls.entries()) {
    if (k > 0) await sleep((task.staggerS * 1000) / task.urls.length);
    // the Default camera group of the first migration
    const camera = await createCamera(db, { name: `camera ${k + 1}`, camera_group_id: 1, url, stream_settings: { fps: task.fps, use_stream_timestamp: true } });
    frames.set(String(camera.id), []);
    await manager.changed(camera.id);
  }

  while ([...frames.values()].some((f) => f.length === 0)) {
    if (failed) throw failed;
    if (Date.now() - started > task.startTimeoutS * 1000) {
      const silent = [...frames].filter(([, f]) => f.length === 0).map(([c]) => c);
      const why = silent.map((c) => `${c}: ${manager.health(Number(c))?.last_error ?? 'no error'}`);
      throw new Error(`${silent.length} of ${task.urls.length} cameras had no frame through detection after ${task.startTimeoutS} s (${why.join('; ')})`);
    }
    await sleep(100);
  }
  const startupS = process.uptime();
  recordFrom = Date.now();
  for (const f of frames.values()) f.length = 0;
  await sleep(task.warmupS * 1000);

  const counted = () => new Map([...manager.healths()].map(([id, h]) => [String(id), h]));
  const before = counted();
  const windowFromMs = Date.now();
  const cpu0 = process.cpuUsage();
  const wall0 = performance.now();
  mark('window-start');
  // exactly windowS long: evenly spaced capture times then fall into it exactly fps × windowS at a time
  const windowToMs = windowFromMs + task.windowS * 1000;
  await sleep(windowToMs - Date.now());
  const cpu = process.cpuUsage(cpu0);
  const cpuWallS = (performance.now() - wall0) / 1000;
  const after = counted();
  mark('window-end');
  const rssMb = await settledRssMb();
  await sleep(task.graceS * 1000);
  if (failed) throw failed;

  const result: DensityChildResult = {
    startupS: Math.round(startupS * 10) / 10,
    windowFromMs,
    windowToMs,
    frames: Object.fromEntries(frames),
    events,
    cpuS: Math.round((cpu.user + cpu.system) / 1e4) / 100,
    cpuWallS: Math.round(cpuWallS * 1000) / 1000,
    baseRssMb,
    rssMb,
    peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
    deadLetters,
    counters: Object.fromEntries(
      [...after].map(([camera, a]) => {
        const b = before.get(camera)!;
        const delta = (k: 'frames_processed' | 'frames_dropped' | 'decoding_soft_errors' | 'job_starts') => a[k] - b[k];
        return [camera, { frames_processed: delta('frames_processed'), frames_dropped: delta('frames_dropped'), decoding_soft_errors: delta('decoding_soft_errors'), job_starts: a.job_starts }];
      }),
    ),
  };
  // the figures are taken: the sources stop between frames and the graph drains; a slow drain does not matter
  await Promise.race([Promise.all([manager.stop(), running]).then(() => stop.abort()), sleep(5000)]);
  await ctx.models.close();
  await db.close();
  return result;
}

const [taskJson, resultFile] = process.argv.slice(2);
if (!taskJson || !resultFile) {
  console.error("usage: node bin/run-ts.js bench/camera-density-child.ts '<task json>' <result file>");
  process.exit(2);
}
const result = await run(JSON.parse(taskJson) as DensityTask);
// written whole, then renamed: the parent never reads half a file
writeFileSync(`${resultFile}.tmp`, JSON.stringify(result));
renameSync(`${resultFile}.tmp`, resultFile);
// node-av and onnxruntime may keep native handles open; the result is written, so end here
process.exit(0);
