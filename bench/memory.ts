// Runs one benchmark task in a child process of its own, so that its peak resident memory is that task's alone:
// a process's high-water mark never goes down, so measuring several configurations in one process would report
// the largest of them for all. The child also reports its CPU time, which shows how many cores the task used.
//
//   node bin/run-ts.js bench/memory.ts '<task json>' <result file>     (what runInChild spawns)
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { DeepPartial } from '../config/load.ts';
import type { FacestreamConfig } from '../config/schema.ts';
import type { Report } from '../report/schema.ts';
import type { AccuracyReport } from './accuracy.ts';
import type { LatencyReport } from './model-latency.ts';
import type { MatcherRun, MatcherTask } from './matcher.ts';
import type { VideoGenderReport } from './video-gender.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

export type ChildTask =
  | { readonly kind: 'baseline' }
  | { readonly kind: 'latency' }
  | { readonly kind: 'accuracy' }
  | { readonly kind: 'video-gender' }
  | ({ readonly kind: 'matcher' } & MatcherTask)
  | { readonly kind: 'analyze'; readonly source: string; readonly overrides: DeepPartial<FacestreamConfig> };

export interface AnalyzeRun {
  /** the attribute heads the configuration turned on: they cost time per face */
  readonly attributes: readonly string[];
  readonly source: Report['source'];
  readonly summary: Report['summary'];
}

interface TaskValues {
  baseline: null;
  latency: LatencyReport;
  accuracy: AccuracyReport;
  'video-gender': VideoGenderReport;
  matcher: MatcherRun | null;
  analyze: AnalyzeRun;
}

export interface Measured<T> {
  readonly value: T;
  /** peak resident set size of the child process, MiB */
  readonly peakRssMb: number;
  /** user + system CPU seconds the task took (process start and imports excluded) */
  readonly cpuS: number;
  /** wall-clock seconds the task took */
  readonly wallS: number;
  /**
   * CPU the rest of the machine used while the child ran, in cores (busy time in /proc/stat less the child's own):
   * other people's tests on the same 2 cores slow every figure, and this says when they did
   */
  readonly otherCores: number;
}

/** What the child reports; the parent adds otherCores. */
type ChildReport<T> = Omit<Measured<T>, 'otherCores'> & { readonly processCpuS: number };

/** Busy CPU seconds of the whole machine so far (all cores), or undefined off Linux. */
export function machineBusyS(): number | undefined {
  try {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq steal …: everything but idle and iowait is busy; USER_HZ is 100
    const busy = fields.reduce((sum, v, i) => (i === 3 || i === 4 || i > 7 ? sum : sum + v), 0);
    return busy / 100;
  } catch {
    return undefined;
  }
}

/** Peak resident set size of this process so far, in MiB. resourceUsage reports KiB. */
export function peakRssMb(): number {
  return Math.round(process.resourceUsage().maxRSS / 1024);
}

/**
 * Waits, before a task, until the rest of the machine is idle (under 0.1 core over 2 s), drawing on one budget for
 * the whole bench run: other people's tests on the same 2 cores would halve the figures, yet a busy machine must
 * not stop the bench from finishing. A task that still ran beside others says so in its otherCores, and is run once
 * more while the budget lasts.
 */
export class QuietGate {
  /** seconds spent waiting so far, for the record */
  waitedS = 0;

  constructor(
    private budgetS: number,
    private readonly log: (line: string) => void = () => {},
  ) {}

  async wait(): Promise<void> {
    let waitedS = 0;
    while (this.budgetS > 0) {
      const b0 = machineBusyS();
      await new Promise((resolve) => setTimeout(resolve, 2000));
      const b1 = machineBusyS();
      if (b0 === undefined || b1 === undefined || (b1 - b0) / 2 < 0.1) break;
      this.budgetS -= 2;
      waitedS += 2;
    }
    this.waitedS += waitedS;
    if (waitedS > 0) this.log(`  waited ${waitedS} s for other processes to go quiet (${Math.max(0, this.budgetS)} s of waiting left)`);
  }

  hasTime(): boolean {
    return this.budgetS > 0;
  }

  note(line: string): void {
    this.log(line);
  }
}

/** A task measured beside more than this much other load is run once more (when a gate is given and has time left). */
const DISTURBED_CORES = 0.15;

export async function runInChild<K extends ChildTask['kind']>(task: Extract<ChildTask, { kind: K }>, gate?: QuietGate): Promise<Measured<TaskValues[K]>> {
  await gate?.wait();
  const first = await runOnce(task);
  if (!gate || first.otherCores <= DISTURBED_CORES || !gate.hasTime()) return first;
  gate.note(`  ${task.kind} ran beside ${first.otherCores} cores of other load: once more`);
  await gate.wait();
  const second = await runOnce(task);
  // the less disturbed of the two is the better estimate of this machine on its own
  return second.otherCores < first.otherCores ? second : first;
}

async function runOnce<K extends ChildTask['kind']>(task: Extract<ChildTask, { kind: K }>): Promise<Measured<TaskValues[K]>> {
  const dir = mkdtempSync(join(tmpdir(), 'facestream-bench-'));
  const resultFile = join(dir, 'result.json');
  try {
    const args = [join(root, 'bin', 'run-ts.js'), join(root, 'bench', 'memory.ts'), JSON.stringify(task), resultFile];
    const busy0 = machineBusyS();
    const t0 = performance.now();
    const child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (c, s) => resolve([c, s]));
    });
    const wallS = (performance.now() - t0) / 1000;
    const busy1 = machineBusyS();
    if (code !== 0) throw new Error(`bench child ${task.kind} failed (${signal ?? `exit ${code}`})`);
    const { processCpuS, ...report } = JSON.parse(readFileSync(resultFile, 'utf8')) as ChildReport<TaskValues[K]>;
    const other = busy0 === undefined || busy1 === undefined ? 0 : Math.max(0, (busy1 - busy0 - processCpuS) / wallS);
    return { ...report, otherCores: Math.round(other * 100) / 100 };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function perform(task: ChildTask): Promise<TaskValues[ChildTask['kind']]> {
  // Imported here, not at the top: the parent loads this file only for runInChild and must stay light.
  switch (task.kind) {
    case 'baseline':
      return null;
    case 'latency':
      return (await import('./model-latency.ts')).measureModelLatency();
    case 'accuracy':
      return (await import('./accuracy.ts')).measureAccuracy();
    case 'video-gender':
      return (await import('./video-gender.ts')).measureVideoGender();
    case 'matcher':
      return (await import('./matcher.ts')).measureMatcher(task);
    case 'analyze': {
      // node-av needs the polyfill before it loads (shared/docs/FACTS.md); bin/facestream.js does the same.
      await import('../pipelines/ingest/promise-with-resolvers.ts');
      const { analyze } = await import('../cli/analyze.ts');
      // the same resolution analyze itself does (defaults ← model thresholds ← overrides)
      const { loadConfig } = await import('../config/load.ts');
      const attributes = Object.entries((await loadConfig(undefined, task.overrides)).attributes).filter(([, on]) => on).map(([name]) => name);
      const { report } = await analyze({ source: task.source, overrides: task.overrides, progress: false, printEvents: false, logLevel: 'warn' });
      return { attributes, source: report.source, summary: report.summary };
    }
  }
}

async function childMain(taskJson: string, resultFile: string): Promise<void> {
  const task = JSON.parse(taskJson) as ChildTask;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const value = await perform(task);
  const wallS = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const all = process.cpuUsage();
  const measured: ChildReport<typeof value> = {
    value,
    peakRssMb: peakRssMb(),
    cpuS: Math.round((cpu.user + cpu.system) / 1e4) / 100,
    wallS: Math.round(wallS * 100) / 100,
    // from process start, imports included: the parent subtracts it from the machine's busy time
    processCpuS: (all.user + all.system) / 1e6,
  };
  // written whole, then renamed: the parent never reads half a file
  writeFileSync(`${resultFile}.tmp`, JSON.stringify(measured));
  renameSync(`${resultFile}.tmp`, resultFile);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [taskJson, resultFile] = process.argv.slice(2);
  if (!taskJson || !resultFile) {
    console.error("usage: node bin/run-ts.js bench/memory.ts '<task json>' <result file>");
    process.exit(2);
  }
  await childMain(taskJson, resultFile);
  // onnxruntime and node-av may keep native handles open; the result is written, so end here.
  process.exit(0);
}
