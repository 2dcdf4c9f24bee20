// What the numbers were measured on. Benchmarks without the machine, versions and load beside them cannot be
// compared with a later run, so everything here is read from the running system, never typed in.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism, loadavg, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

export interface MachineInfo {
  readonly cpuModel: string;
  readonly cores: number;
  readonly ramGiB: number;
  readonly os: string;
  readonly node: string;
  readonly onnxruntimeNode: string;
  readonly nodeAv: string;
  readonly ffmpegCli: string;
  readonly gitCommit: string;
  /** 1-minute load average when the run started: another busy process on 2 cores halves every figure */
  readonly loadAtStart: number;
}

function firstMatch(text: string, re: RegExp): string | undefined {
  return re.exec(text)?.[1]?.trim();
}

function readOr(path: string, fallback: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return fallback;
  }
}

/** Version of an installed dependency, from its own package.json (exports maps may hide it from require). */
export function packageVersion(name: string): string {
  const text = readOr(join(root, 'node_modules', name, 'package.json'), '{}');
  const v = (JSON.parse(text) as { version?: unknown }).version;
  return typeof v === 'string' ? v : 'not installed';
}

function commandLine(cmd: string, args: readonly string[]): string {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', cwd: root, stdio: ['ignore', 'pipe', 'ignore'] }).split('\n')[0]!.trim();
  } catch {
    return 'unavailable';
  }
}

export function oneMinuteLoad(): number {
  return Math.round(loadavg()[0]! * 100) / 100;
}

export function machineInfo(): MachineInfo {
  const cpuinfo = readOr('/proc/cpuinfo', '');
  const osRelease = readOr('/etc/os-release', '');
  return {
    cpuModel: firstMatch(cpuinfo, /^model name\s*:\s*(.+)$/m) ?? 'unknown',
    cores: availableParallelism(),
    ramGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    os: firstMatch(osRelease, /^PRETTY_NAME="?([^"\n]+)"?$/m) ?? process.platform,
    node: process.version,
    onnxruntimeNode: packageVersion('onnxruntime-node'),
    nodeAv: packageVersion('node-av'),
    ffmpegCli: commandLine('ffmpeg', ['-version']).replace(/ Copyright.*$/, ''),
    gitCommit: commandLine('git', ['rev-parse', '--short', 'HEAD']),
    loadAtStart: oneMinuteLoad(),
  };
}
