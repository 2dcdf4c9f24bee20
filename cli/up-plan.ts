// What `facestream up` starts, decided before anything starts: one child process per source for a process that
// ingests, `--instances n` children for every other process of the topology, each a `facestream stage` command.
// Without --source, a process that ingests runs as `--instances n` ingest workers (default 1), which take the cameras
// created through the API from the `cameras` topic (docs/KAFKA.md "Ingest workers").
// Pure (no environment, no file system), so a bad command line fails with one clear line and is tested as data.
import type { StageName } from '../pipelines/registry.ts';
import { terminalStages } from '../topologies/plan.ts';
import type { TopologySpec } from '../topologies/topology.ts';
import { UserError } from './user-error.ts';

export interface SourceArg {
  readonly camera: string;
  readonly url: string;
}

export interface PlanInput {
  readonly topology: TopologySpec;
  readonly sources: readonly SourceArg[];
  /** instances per process name (default 1); for a process that ingests, its workers (only without sources) */
  readonly instances?: Readonly<Record<string, number>>;
  /** passed to every process that matches */
  readonly watchlist?: string;
  /** passed to every process */
  readonly config?: string;
  /** the node binary (process.execPath) */
  readonly execPath: string;
  /** the facestream entry script (bin/facestream.js) */
  readonly entry: string;
  /** epoch seconds the files' first frames are dated (one value per run of up) */
  readonly startTimeS: number;
}

export interface PlannedChild {
  /** `detect`, `embed#1` (one of several instances), `ingest@lobby` (one per camera) */
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  /** the topology process this child runs */
  readonly process: string;
  /** 0-based, passed as --instance */
  readonly instance: number;
  /** set for a process that ingests */
  readonly camera?: string;
  /** runs one of the topology's last stages: their "end of stream" log lines mean a camera has gone all the way through */
  readonly runsLastStage: boolean;
  /** which of the topology's last stages (terminalStages(): the sinks, or episodes without them) this child runs */
  readonly lastStages: readonly StageName[];
}

const CAMERA_ID = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** `--source <camera>=<url>`, e.g. `lobby=rtsp://10.0.0.5/stream1` or `door=clips/door.mp4`. */
export function parseSource(text: string): SourceArg {
  const eq = text.indexOf('=');
  const camera = eq < 0 ? '' : text.slice(0, eq).trim();
  const url = eq < 0 ? '' : text.slice(eq + 1).trim();
  if (!camera || !url) throw new UserError(`--source ${text}: expected <camera>=<url>, e.g. lobby=rtsp://10.0.0.5/stream1 or door=clips/door.mp4`);
  if (!CAMERA_ID.test(camera)) throw new UserError(`--source ${text}: camera id "${camera}" may hold only letters, digits, '.', '_' and '-'`);
  return { camera, url };
}

/** `--instances <process>=<n>`, e.g. `embed=2`. */
export function parseInstances(text: string): readonly [process: string, count: number] {
  const m = /^([^=\s]+)=(\d+)$/.exec(text.trim());
  const count = m ? Number(m[2]) : NaN;
  if (!m || !Number.isSafeInteger(count) || count < 1) throw new UserError(`--instances ${text}: expected <process>=<n> with n ≥ 1, e.g. embed=2`);
  return [m[1]!, count];
}

const isLive = (url: string) => /^(rtsp|rtsps|rtmp|http|https|udp|tcp|srt):\/\//i.test(url);

export function planChildren(input: PlanInput): PlannedChild[] {
  const { topology, sources } = input;
  const instances = input.instances ?? {};
  const err = (message: string) => new UserError(`topology ${topology.name}: ${message}`);
  const names = topology.processes.map((p) => p.name);
  const ingests = topology.processes.filter((p) => p.stages.includes('ingest'));

  for (const proc of Object.keys(instances)) {
    if (!names.includes(proc)) throw err(`--instances ${proc}: no such process (it has ${names.join(', ')})`);
    if (sources.length > 0 && ingests.some((p) => p.name === proc)) throw err(`--instances ${proc}: a process that ingests runs once per --source (without --source: that many ingest workers)`);
  }
  if (ingests.length === 0 && sources.length > 0) throw err('no process ingests, so --source has nothing to feed');
  const seen = new Set<string>();
  for (const s of sources) {
    if (seen.has(s.camera)) throw new UserError(`--source: camera "${s.camera}" is given twice`);
    seen.add(s.camera);
  }

  const last = terminalStages(topology);
  const children: PlannedChild[] = [];
  for (const proc of topology.processes) {
    const common = (instance: number) => [input.entry, 'stage', proc.name, '--topology', topology.name, '--instance', String(instance)];
    const tail = [
      ...(input.watchlist !== undefined && proc.stages.includes('match') ? ['--watchlist', input.watchlist] : []),
      ...(input.config !== undefined ? ['--config', input.config] : []),
    ];
    const lastStages = proc.stages.filter((s) => last.includes(s));
    const runsLastStage = lastStages.length > 0;
    if (proc.stages.includes('ingest') && sources.length > 0) {
      sources.forEach((s, i) =>
        children.push({
          name: `${proc.name}@${s.camera}`,
          command: input.execPath,
          // a file's frames are dated from one start time for the whole run, so a restarted ingest repeats the
          // same timestamps and the tracker recognises the frames it already has
          args: [...common(i), '--camera', s.camera, '--source', s.url, ...(isLive(s.url) ? [] : ['--start-time', String(input.startTimeS)]), ...tail],
          process: proc.name,
          instance: i,
          camera: s.camera,
          runsLastStage,
          lastStages,
        }),
      );
      continue;
    }
    const n = instances[proc.name] ?? 1;
    for (let i = 0; i < n; i++) {
      children.push({
        name: n === 1 ? proc.name : `${proc.name}#${i}`,
        command: input.execPath,
        args: [...common(i), ...tail],
        process: proc.name,
        instance: i,
        runsLastStage,
        lastStages,
      });
    }
  }
  return children;
}
