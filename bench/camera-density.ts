// Camera density (issue 5): how many concurrent 720p 25 fps RTSP streams one box sustains with detection ≥ 5 fps on
// every stream and event latency p95 ≤ 1 s, with CPU and memory per stream. A ramp of steps (1, 2, 4, 8, 12, 16, …
// streams) until a step fails the criteria or the time budget runs out; each step is two fresh processes:
//   - the cameras: the ingest tests' RTSP server (bench/camera-density-server.ts) serving a 720p 25 fps H.264 file
//     over RTSP/TCP on loopback, looped, without re-encoding; its CPU is counted apart (not facestream's cost);
//   - facestream: N cameras in one process as `facestream serve` runs them: cameras in PostgreSQL (PGlite), the camera
//     manager adding an ingest source per camera to the serve topology's graph (bench/camera-density-child.ts).
// The file is made once with Debian's ffmpeg from a shared clip (shared/data has no 720p clip) into .cache/bench/.
//
//   node bin/run-ts.js bench/camera-density.ts [--streams 1,2] [--seconds 20] [--budget 480]   prints the JSON results
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { VIDEO_DIR } from './analyze-speed.ts';
import type { DensityChildResult, DensityTask } from './camera-density-child.ts';
import { DENSITY_GOAL, densityFigure, detectionFps, meetsCriteria, nextStreams, percentiles, shouldRunStep, type Percentiles } from './camera-density-stats.ts';
import { machineBusyS, type QuietGate } from './memory.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const runTs = join(root, 'bin', 'run-ts.js');
/** the demo's clip: a woman and a man turning their heads; the demo's watch list holds the woman (from another clip) */
export const DENSITY_SOURCE_CLIP = 'head-pose-face-detection-female-and-male.mp4';
export const DENSITY_WATCHLIST = 'examples/demo/watchlist';
const CLIP_SECONDS = 20;
export const DENSITY_DEFAULTS = { windowS: 20, warmupS: 5, graceS: 1, budgetS: 480 } as const;

export interface DensityClip {
  readonly path: string;
  /** the ffmpeg command as run, paths relative to the repository */
  readonly command: string;
  readonly made: boolean;
  readonly sourceClip: string;
  readonly seconds: number;
}

export interface DensityStep {
  readonly streams: number;
  readonly met: boolean;
  /** the whole step, both processes' start-up included */
  readonly wallS: number;
  /** facestream's start to every camera's first frame through detection (the cameras' staggered joining included) */
  readonly startupS: number;
  readonly fps: { readonly min: number; readonly median: number; readonly perStream: readonly number[] };
  /** frames captured in the window that did not come out of detection within the grace: the streams' sampled frames less those counted */
  readonly framesLate: number;
  /** the camera manager's health counters over the window, summed over the cameras: frames lost to a failing stage, corrupt packets and frames */
  readonly framesDropped: number;
  readonly decodingSoftErrors: number;
  /** sources started again after failing (job_starts beyond the first of each camera) */
  readonly restarts: number;
  /** capture → detections out, every frame captured in the window */
  readonly detectionLagMs: Percentiles | null;
  /** capture of the frame that made the post (the track's newest) → the event leaving match: the criterion */
  readonly eventLatencyMs: Percentiles | null;
  /** capture of the best shot → the event leaving match: adds the realtime post window's wait */
  readonly bestShotLatencyMs: Percentiles | null;
  readonly events: number;
  readonly matchedEvents: number;
  readonly deadLetters: number;
  /** CPU over the window, in cores: facestream's process, the RTSP server's, and the rest of the machine's */
  readonly cores: number;
  readonly serverCores: number;
  readonly otherCores: number;
  /** the facestream process with models, watch list and PGlite loaded, no camera started; at the window's end; its peak (MiB) */
  readonly baseRssMb: number;
  readonly rssMb: number;
  readonly peakRssMb: number;
}

export interface DensityResults {
  readonly clip: DensityClip;
  readonly watchlist: string;
  readonly fps: number;
  readonly windowS: number;
  /** the cameras joined one after another over this many seconds (one loop of the clip) */
  readonly staggerS: number;
  readonly warmupS: number;
  readonly graceS: number;
  readonly budgetS: number;
  readonly steps: readonly DensityStep[];
  /** the most streams of a step that met the criteria (every smaller step too); 0: none did */
  readonly figure: number;
  /** why the ramp stopped */
  readonly ended: 'criteria' | 'budget' | 'list' | 'failed';
  /** the step whose facestream child failed (it ended the ramp): its streams and the child's last words */
  readonly failed?: { readonly streams: number; readonly error: string };
  readonly startedAt: string;
}

/** The 720p 25 fps H.264 loop the cameras serve, made once with Debian's ffmpeg and reused while its command holds. */
export function ensureDensityClip(log: (line: string) => void = () => {}): DensityClip {
  const src = join(VIDEO_DIR, DENSITY_SOURCE_CLIP);
  const dir = join(root, '.cache', 'bench', 'camera-density');
  const out = join(dir, `${DENSITY_SOURCE_CLIP.replace(/\.mp4$/, '')}-1280x720-25fps-gop50-${CLIP_SECONDS}s.mp4`);
  // -stream_loop -1 and -t: the 4 s clip played over and over to CLIP_SECONDS. As most IP cameras stream: no
  // B-frames, a key frame every 2 s (-g 50, no scene-cut keys), so a camera joining mid-stream waits ≤ 2 s.
  const args = ['-v', 'error', '-y', '-stream_loop', '-1', '-i', src, '-t', `${CLIP_SECONDS}`, '-vf', 'scale=1280:720,fps=25', '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '23', '-profile:v', 'main', '-bf', '0', '-g', '50', '-sc_threshold', '0', '-an', out];
  const command = ['ffmpeg', ...args.map((a) => (a.startsWith('/') ? relative(root, a) : a))].join(' ');
  const stamp = `${out}.command.txt`;
  const clip = { path: out, command, sourceClip: DENSITY_SOURCE_CLIP, seconds: CLIP_SECONDS };
  if (existsSync(out) && existsSync(stamp) && readFileSync(stamp, 'utf8').trim() === command) return { ...clip, made: false };
  mkdirSync(dir, { recursive: true });
  log(`camera density: making the 720p 25 fps clip: ${command}`);
  const tmp = `${out}.tmp.mp4`;
  execFileSync('ffmpeg', [...args.slice(0, -1), tmp], { stdio: ['ignore', 'inherit', 'inherit'] });
  renameSync(tmp, out);
  writeFileSync(stamp, `${command}\n`);
  return { ...clip, made: true };
}

/** user + system CPU seconds of process `pid` so far (/proc/<pid>/stat, USER_HZ 100). */
function processCpuS(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // after the command name: state is field 3, utime 14 and stime 15
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

function exited(child: ChildProcess): Promise<number | null> {
  return child.exitCode !== null ? Promise.resolve(child.exitCode) : new Promise((resolve) => child.once('exit', resolve));
}

async function startServer(clip: string): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [runTs, join(root, 'bench', 'camera-density-server.ts'), clip], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout! });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGTERM');
      reject(new Error('camera density: the RTSP server did not start in 30 s'));
    }, 30_000);
    child.once('exit', (code) => reject(new Error(`camera density: the RTSP server exited (${code})`)));
    lines.on('line', (line) => {
      const m = /^READY (\S+)/.exec(line);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
  });
  return { url, child };
}

interface StepOptions {
  readonly clip: string;
  readonly fps: number;
  readonly windowS: number;
  readonly staggerS: number;
  readonly warmupS: number;
  readonly graceS: number;
}

/** The facestream child of a step failed: the ramp ends there and says why. */
class StepFailed extends Error {}

async function runStep(streams: number, opts: StepOptions): Promise<DensityStep> {
  const t0 = performance.now();
  const server = await startServer(opts.clip);
  const dir = mkdtempSync(join(tmpdir(), 'facestream-density-'));
  try {
    const resultFile = join(dir, 'result.json');
    const task: DensityTask = {
      urls: Array.from({ length: streams }, () => server.url),
      watchlistDir: join(root, DENSITY_WATCHLIST),
      fps: opts.fps,
      staggerS: opts.staggerS,
      warmupS: opts.warmupS,
      windowS: opts.windowS,
      graceS: opts.graceS,
      startTimeoutS: opts.staggerS + 60 + 2 * streams,
    };
    const child = spawn(process.execPath, ['--expose-gc', runTs, join(root, 'bench', 'camera-density-child.ts'), JSON.stringify(task), resultFile], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    // passed on as it comes; the last line is the reason when the child fails
    let lastError = '';
    createInterface({ input: child.stderr! }).on('line', (line) => {
      process.stderr.write(`${line}\n`);
      if (line.trim() !== '') lastError = line.trim();
    });
    // the RTSP server's and the machine's CPU over the child's window, read when it says the window starts and ends
    const marks = new Map<string, { server: number; machine: number | undefined }>();
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const m = /^\{"mark":"([\w-]+)"\}$/.exec(line);
      if (m) marks.set(m[1]!, { server: processCpuS(server.child.pid!), machine: machineBusyS() });
    });
    const code = await exited(child);
    if (code !== 0) throw new StepFailed(`exit ${code}: ${lastError}`);
    const r = JSON.parse(readFileSync(resultFile, 'utf8')) as DensityChildResult;
    const [a, b] = [marks.get('window-start'), marks.get('window-end')];
    if (!a || !b) throw new Error('camera density: the child did not mark its window');
    const serverCpuS = b.server - a.server;
    const other = a.machine === undefined || b.machine === undefined ? 0 : Math.max(0, (b.machine - a.machine - r.cpuS - serverCpuS) / r.cpuWallS);
    return { streams, wallS: Math.round((performance.now() - t0) / 100) / 10, ...stepFigures(r, opts), serverCores: round2(serverCpuS / r.cpuWallS), otherCores: round2(other) };
  } finally {
    if (server.child.exitCode === null) server.child.kill('SIGTERM');
    await exited(server.child);
    rmSync(dir, { recursive: true, force: true });
  }
}

const round2 = (v: number) => Math.round(v * 100) / 100;

/** The step's figures from the child's raw records. */
function stepFigures(r: DensityChildResult, opts: StepOptions): Omit<DensityStep, 'streams' | 'wallS' | 'serverCores' | 'otherCores'> {
  const { windowFromMs: from, windowToMs: to } = r;
  const graceMs = opts.graceS * 1000;
  const perStream = Object.values(r.frames).map((f) => detectionFps(f, from, to, graceMs));
  const sorted = [...perStream].sort((x, y) => x - y);
  const expected = ((to - from) / 1000) * opts.fps;
  const inWindow = Object.values(r.frames).flatMap((f) => f.filter((x) => x.captureMs >= from && x.captureMs < to));
  const events = r.events.filter((e) => e.capturedMs >= from && e.capturedMs < to);
  const fps = { min: sorted[0] ?? 0, median: sorted[Math.floor((sorted.length - 1) / 2)] ?? 0, perStream };
  const eventLatencyMs = percentiles(events.map((e) => e.postFrameMs));
  const windowS = (to - from) / 1000;
  const counters = Object.values(r.counters);
  const sum = (k: keyof (typeof counters)[number]) => counters.reduce((total, c) => total + c[k], 0);
  return {
    met: meetsCriteria({ streams: perStream.length, minFps: fps.min, eventLatencyMs }),
    startupS: r.startupS,
    fps,
    framesLate: Math.round(perStream.reduce((total, f) => total + Math.max(0, expected - f * windowS), 0)),
    framesDropped: sum('frames_dropped'),
    decodingSoftErrors: sum('decoding_soft_errors'),
    restarts: sum('job_starts') - counters.length,
    detectionLagMs: percentiles(inWindow.map((x) => x.detectedMs - x.captureMs)),
    eventLatencyMs,
    bestShotLatencyMs: percentiles(events.map((e) => e.bestShotMs)),
    events: events.length,
    matchedEvents: events.filter((e) => e.matched).length,
    deadLetters: r.deadLetters,
    cores: round2(r.cpuS / r.cpuWallS),
    baseRssMb: r.baseRssMb,
    rssMb: r.rssMb,
    peakRssMb: r.peakRssMb,
  };
}

export interface DensityOptions {
  readonly log: (line: string) => void;
  readonly gate?: QuietGate;
  /** the ramp's steps; default 1, 2, 4, 8, 12, 16, … until the criteria fail or the budget runs out */
  readonly streams?: readonly number[];
  readonly windowS?: number;
  readonly budgetS?: number;
}

export async function measureCameraDensity(opts: DensityOptions): Promise<DensityResults> {
  const { log } = opts;
  const startedAt = new Date().toISOString();
  const t0 = performance.now();
  const clip = ensureDensityClip(log);
  const step: StepOptions = { clip: clip.path, fps: DENSITY_GOAL.detectionFps, windowS: opts.windowS ?? DENSITY_DEFAULTS.windowS, staggerS: clip.seconds, warmupS: DENSITY_DEFAULTS.warmupS, graceS: DENSITY_DEFAULTS.graceS };
  const budgetS = opts.budgetS ?? DENSITY_DEFAULTS.budgetS;
  const steps: DensityStep[] = [];
  const elapsedS = () => (performance.now() - t0) / 1000;
  let n: number | undefined = opts.streams ? opts.streams[0] : 1;
  let failed: DensityResults['failed'];
  for (let k = 1; n !== undefined && shouldRunStep(steps.at(-1), elapsedS(), budgetS); k++) {
    await opts.gate?.wait();
    log(`camera density: ${n} stream${n === 1 ? '' : 's'} of 720p 25 fps over RTSP, detection at ${step.fps} fps, ${step.windowS} s window`);
    let s: DensityStep;
    try {
      s = await runStep(n, step);
    } catch (err) {
      if (!(err instanceof StepFailed)) throw err;
      log(`  the facestream child failed: ${err.message}`);
      failed = { streams: n, error: err.message };
      break;
    }
    log(
      `  detection fps min ${s.fps.min} / median ${s.fps.median}; event latency p50 ${s.eventLatencyMs?.p50 ?? '-'} / p95 ${s.eventLatencyMs?.p95 ?? '-'} ms (${s.events} events); ` +
        `facestream ${s.cores} cores, ${s.rssMb} MiB; RTSP server ${s.serverCores} cores; other ${s.otherCores} cores → ${s.met ? 'met' : 'not met'}`,
    );
    steps.push(s);
    n = opts.streams ? opts.streams[k] : nextStreams(n);
  }
  const last = steps.at(-1);
  const ended = failed ? 'failed' : last !== undefined && !last.met ? 'criteria' : n === undefined ? 'list' : 'budget';
  return { clip, watchlist: DENSITY_WATCHLIST, fps: step.fps, windowS: step.windowS, staggerS: step.staggerS, warmupS: step.warmupS, graceS: step.graceS, budgetS, steps, figure: densityFigure(steps), ended, ...(failed ? { failed } : {}), startedAt };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values } = parseArgs({ options: { streams: { type: 'string' }, seconds: { type: 'string' }, budget: { type: 'string' } } });
  const results = await measureCameraDensity({
    log: (line) => console.error(line),
    ...(values.streams ? { streams: values.streams.split(',').map(Number) } : {}),
    ...(values.seconds ? { windowS: Number(values.seconds) } : {}),
    ...(values.budget ? { budgetS: Number(values.budget) } : {}),
  });
  console.log(JSON.stringify(results, null, 2));
}
