// One step of the camera-density bench: N live RTSP cameras in this one process on the embedded topology (ingest
// over TCP sampled to the detection fps, detect, track, embed, match against a watch list, episodes; no analytics
// sink), built by buildGraph with one ingest source per camera. It waits until every camera has had a frame
// through detection, lets them run a warm-up, then records a measuring window: per frame, its capture time and when
// its detections came out; per event, when it left match; and this process's CPU time and memory. The raw figures
// go to the result file; the parent (bench/camera-density.ts) makes the statistics.
//
// Capture time: ingest.use_stream_timestamp, so a frame's ts is the moment its stream was asked for plus its stream
// time. The server sends each frame at that moment, so a facestream that falls behind shows it as latency
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
import { setFfmpegLogging } from '../pipelines/ingest/ffmpeg-log.ts';
import { systemClock } from '../pipelines/runtime/stage.ts';
import { ANALYTICS_SINK_STAGES } from '../pipelines/sink-clickhouse/index.ts';
import type { FaceEvent, FrameDetections } from '../schemas/records.ts';
import { buildGraph } from '../topologies/build-inproc.ts';
import { embeddedTopology } from '../topologies/embedded.ts';
import { processOf, withoutStages } from '../topologies/plan.ts';
import type { Detected } from './camera-density-stats.ts';

export interface DensityTask {
  readonly urls: readonly string[];
  readonly watchlistDir: string;
  /** detection frames/s per stream (ingest.fps) */
  readonly fps: number;
  readonly warmupS: number;
  readonly windowS: number;
  /** after the window, how long frames captured in it may still come out of detection */
  readonly graceS: number;
  /** seconds to wait for every camera's first detection before giving up */
  readonly startTimeoutS: number;
}

export interface DensityChildResult {
  /** from this process's start to every camera's first frame through detection (models, watch list, RTSP opens) */
  readonly startupS: number;
  readonly windowFromMs: number;
  readonly windowToMs: number;
  /** per camera, the frames captured from the warm-up on */
  readonly frames: Readonly<Record<string, readonly Detected[]>>;
  /** per event that left match after the warm-up: the camera, the ms from the capture of the frame that made the post (the track's newest) and from the best shot's */
  readonly events: ReadonlyArray<{ readonly camera: string; readonly postFrameMs: number; readonly bestShotMs: number; readonly capturedMs: number; readonly matched: boolean }>;
  /** user + system CPU seconds of this process (all threads) over the window */
  readonly cpuS: number;
  /** resident set size at the window's end and this process's peak, MiB */
  readonly rssMb: number;
  readonly peakRssMb: number;
  /** records a stage could not process */
  readonly deadLetters: number;
}

const mark = (m: string) => process.stdout.write(`${JSON.stringify({ mark: m })}\n`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function run(task: DensityTask): Promise<DensityChildResult> {
  const logger = pino({ level: 'warn' }, pino.destination(2));
  setFfmpegLogging(false);
  const ctx = await createRunContext({
    overrides: { ingest: { fps: task.fps, use_stream_timestamp: true } },
    watchlistDir: task.watchlistDir,
    onRejected: (m) => console.error(`camera-density: watch list: skipped ${m}`),
  });
  const cameras = task.urls.map((url, k) => ({ camera: `cam${String(k + 1).padStart(2, '0')}`, url }));
  const frames = new Map<string, Detected[]>(cameras.map((c) => [c.camera, []]));
  const events: DensityChildResult['events'][number][] = [];
  let recordFrom = Infinity;
  let deadLetters = 0;
  const stop = new AbortController();
  const { graph } = buildGraph(processOf(withoutStages(embeddedTopology, ANALYTICS_SINK_STAGES), 'main').stages, {
    deps: { config: ctx.config, models: ctx.models, index: ctx.index },
    cameras,
    taps: {
      detections: [
        (d) => {
          const f = (d as FrameDetections).frame;
          frames.get(f.camera)?.push({ captureMs: f.ts, detectedMs: Date.now() });
        },
      ],
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
    onDeadLetter: () => void deadLetters++,
  });
  let failed: unknown = null;
  const running = graph.run().catch((err: unknown) => void (failed = err));

  const started = Date.now();
  while ([...frames.values()].some((f) => f.length === 0)) {
    if (failed) throw failed;
    if (Date.now() - started > task.startTimeoutS * 1000) {
      const silent = [...frames].filter(([, f]) => f.length === 0).map(([c]) => c);
      throw new Error(`${silent.length} of ${cameras.length} cameras had no frame through detection after ${task.startTimeoutS} s: ${silent.join(', ')}`);
    }
    await sleep(100);
  }
  const startupS = process.uptime();
  recordFrom = Date.now();
  for (const f of frames.values()) f.length = 0;
  await sleep(task.warmupS * 1000);

  const windowFromMs = Date.now();
  const cpu0 = process.cpuUsage();
  mark('window-start');
  await sleep(task.windowS * 1000);
  const windowToMs = Date.now();
  const cpu = process.cpuUsage(cpu0);
  const rssMb = Math.round(process.memoryUsage.rss() / 2 ** 20);
  mark('window-end');
  await sleep(task.graceS * 1000);
  if (failed) throw failed;

  const result: DensityChildResult = {
    startupS: Math.round(startupS * 10) / 10,
    windowFromMs,
    windowToMs,
    frames: Object.fromEntries(frames),
    events,
    cpuS: Math.round((cpu.user + cpu.system) / 1e4) / 100,
    rssMb,
    peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
    deadLetters,
  };
  stop.abort();
  // the graph drains (sources stop between frames); the figures are taken, so a slow drain does not matter
  await Promise.race([running, sleep(5000)]);
  await ctx.models.close();
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
