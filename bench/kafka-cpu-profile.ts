// Where a stage process's CPU goes, from a V8 CPU profile of its measured window (BENCH_CPU_PROFILE=<dir>, see
// bench/kafka-child.ts): self time grouped by what the code belongs to (kafkajs and which part of it, avsc, sharp,
// the runtime, the stage, garbage collection, idle), largest first.
//
//   node bin/run-ts.js bench/kafka-cpu-profile.ts <file.cpuprofile> [--top N]
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly children?: readonly number[];
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly startTime: number;
  readonly endTime: number;
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

export interface ProfileShare {
  readonly group: string;
  readonly ms: number;
  /** of the window's wall time */
  readonly share: number;
}

/** The group a frame's self time is counted under. */
export function groupOf(url: string, fn: string): string {
  if (fn === '(idle)') return 'idle (waiting on the broker)';
  if (fn === '(garbage collector)') return 'garbage collection';
  if (fn === '(program)' || fn === '(root)') return 'V8/native (program)';
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)\/(.*)$/.exec(url);
  if (nm) {
    const [, pkg, rest] = nm;
    if (pkg === 'kafkajs') {
      const part = /src\/(protocol\/recordBatch\/crc32C|protocol\/recordBatch|protocol\/requests|protocol\/encoder|protocol\/decoder|protocol|network|consumer|producer|cluster|broker)/.exec(rest ?? '');
      return `kafkajs ${part ? part[1] : 'other'}`;
    }
    return pkg!;
  }
  if (url.startsWith('node:') || url === '') return fn.startsWith('(') ? fn : `node core (${url || 'native'})`;
  const local = /\/(pipelines\/runtime\/kafka|pipelines\/[^/]+|schemas\/[^/]+|bench)\//.exec(url);
  if (local) return local[1]!;
  // another file of the project: its top folder (schemas/float32-bytes.ts → schemas)
  const own = url.startsWith(PROJECT) ? url.slice(PROJECT.length) : undefined;
  return own ? own.split('/')[0]! : url;
}

const PROJECT = new URL('../', import.meta.url).href;

export function summarise(profile: CpuProfile): { windowMs: number; shares: ProfileShare[] } {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const ms = new Map<string, number>();
  for (let i = 0; i < profile.samples.length; i++) {
    const node = byId.get(profile.samples[i]!);
    if (!node) continue;
    const group = groupOf(node.callFrame.url, node.callFrame.functionName);
    ms.set(group, (ms.get(group) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
  }
  const windowMs = (profile.endTime - profile.startTime) / 1000;
  const shares = [...ms]
    .map(([group, t]) => ({ group, ms: Math.round(t), share: Math.round((t / windowMs) * 1000) / 1000 }))
    .sort((a, b) => b.ms - a.ms);
  return { windowMs: Math.round(windowMs), shares };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { top: { type: 'string' } } });
  const file = positionals[0];
  if (!file) {
    console.error('usage: node bin/run-ts.js bench/kafka-cpu-profile.ts <file.cpuprofile> [--top N]');
    process.exit(2);
  }
  const { windowMs, shares } = summarise(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile);
  console.log(`${file}: ${windowMs} ms`);
  for (const s of shares.slice(0, Number(values.top ?? 25))) console.log(`${(s.share * 100).toFixed(1).padStart(6)} %  ${String(s.ms).padStart(7)} ms  ${s.group}`);
}
