import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isAlive } from '../infra/local-service/process.ts';
import { TOPOLOGIES } from '../topologies/registry.ts';
import type { ChildLine } from './supervisor.ts';
import { endOfStreamCamera, up, type UpOptions } from './up.ts';
import { UserError } from './user-error.ts';

// A stand-in for `facestream stage`: says what it was given, drains on SIGTERM; a consuming stage says it has joined
// its group ("partitions assigned": the cameras start after every consumer has); ingest ends at once (and logs its own
// "end of stream", which must not count); the sink logs "end of stream" for the cameras in FAKE_ENDED: once for
// sink-events (matches are keyed by camera), once per partition for sink-episodes and sink-counters (4 configured;
// the broker here does not answer).
const FAKE_STAGE = `
const args = process.argv.slice(2);
const proc = args[1];
const opt = (n) => { const i = args.indexOf(n); return i < 0 ? undefined : args[i + 1]; };
console.log(JSON.stringify({ level: 30, msg: 'stage started', proc, instance: opt('--instance'), camera: opt('--camera'), watchlist: opt('--watchlist'),
  registry: process.env.SCHEMA_REGISTRY_URL, brokers: process.env.KAFKA_BROKERS }));
process.on('SIGTERM', () => { console.log('draining'); process.exit(0); });
if (proc !== 'ingest') setTimeout(() => console.log(JSON.stringify({ level: 30, msg: 'partitions assigned', partitions: [0] })), 50);
if (proc === 'ingest') { console.log(JSON.stringify({ level: 30, msg: 'end of stream', camera: opt('--camera') })); process.exit(0); }
if (proc === 'sink') {
  for (const camera of (process.env.FAKE_ENDED ?? '').split(',').filter(Boolean)) {
    setTimeout(() => console.log(JSON.stringify({ level: 30, msg: 'end of stream', stage: 'sink-events', camera })), 300);
    for (const stage of ['sink-episodes', 'sink-counters'])
      for (let p = 0; p < 4; p++) setTimeout(() => console.log(JSON.stringify({ level: 30, msg: 'end of stream', stage, camera })), 300 + 10 * p);
  }
}
setInterval(() => {}, 1000);
`;

let dir: string;
let entry: string;
let printed: string[];
let lines: ChildLine[];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'facestream-up-'));
  entry = join(dir, 'fake-stage.mjs');
  await writeFile(entry, FAKE_STAGE);
  printed = [];
  lines = [];
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** the distributed topology's processes besides ingest, each started once */
const CONSUMERS = TOPOLOGIES['distributed']!.processes.filter((p) => !p.stages.includes('ingest')).map((p) => p.name);

const sources = [
  { camera: 'lobby', url: 'rtsp://10.0.0.5/s1' },
  { camera: 'door', url: 'clips/door.mp4' },
];

function options(over: Partial<UpOptions> = {}): UpOptions {
  return {
    topology: 'distributed',
    sources,
    env: { PATH: process.env['PATH'], KAFKA_BROKERS: '127.0.0.1:1' },
    cwd: dir,
    entry,
    handleSignals: false,
    logLevel: 'silent',
    print: (l) => printed.push(l),
    output: (l) => lines.push(l),
    stopTimeoutMs: 5_000,
    ...over,
  };
}

const started = (name: string) => lines.find((l) => l.name === name && l.line.includes('stage started'));

async function until(check: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('up', () => {
  it('refuses to start without KAFKA_BROKERS, before it opens anything', async () => {
    const err = await up(options({ env: {} })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).message).toBe('KAFKA_BROKERS is not set; start a local broker with `npm run kafka:up`');
    expect((err as UserError).exitCode).toBe(2);
    expect(existsSync(join(dir, '.facestream'))).toBe(false);
  });

  it('refuses an unknown or Kafka-less topology', async () => {
    await expect(up(options({ topology: 'mesh' }))).rejects.toThrow(/--topology mesh: no such topology \(there are .*distributed/);
    await expect(up(options({ topology: 'embedded' }))).rejects.toThrow(/use `facestream analyze`/);
  });

  it('--until-done: serves a registry, starts every process, stops them all once every camera went through', async () => {
    const code = await up(options({ untilDone: true, watchlist: 'people', env: { ...options().env, FAKE_ENDED: 'lobby,door' } }));
    expect(code).toBe(0);
    const registryLine = printed.find((l) => l.startsWith('schema registry '))!;
    const url = /^schema registry (http:\/\/127\.0\.0\.1:\d+) \(served by this process/.exec(registryLine)![1];
    expect(existsSync(join(dir, '.facestream', 'registry'))).toBe(true);
    const names = ['ingest@lobby', 'ingest@door', ...CONSUMERS];
    for (const name of names) expect(printed).toContainEqual(expect.stringMatching(new RegExp(`^started ${name} \\(pid \\d+\\)$`)));
    // the cameras start once every consuming process has joined its group
    const startedAt = (name: string) => printed.findIndex((l) => l.startsWith(`started ${name} `));
    const lastJoin = Math.max(...lines.flatMap((l, i) => (l.line.includes('"msg":"partitions assigned"') ? [i] : [])));
    expect(lines.findIndex((l) => l.name === 'ingest@lobby')).toBeGreaterThan(lastJoin);
    expect(Math.min(startedAt('ingest@lobby'), startedAt('ingest@door'))).toBeGreaterThan(Math.max(...CONSUMERS.map(startedAt)));
    const says = (name: string) => JSON.parse(started(name)!.line) as Record<string, unknown>;
    expect(says('ingest@door')).toMatchObject({ proc: 'ingest', instance: '1', camera: 'door', registry: url, brokers: '127.0.0.1:1' });
    expect(says('match')).toMatchObject({ proc: 'match', instance: '0', watchlist: join(dir, 'people') });
    // the last stage was asked to stop (SIGTERM, it drained), and no child outlives up()
    expect(lines.filter((l) => l.line === 'draining').map((l) => l.name)).toContain('sink');
    const pids = printed.flatMap((l) => /\(pid (\d+)\)$/.exec(l)?.slice(1) ?? []).map(Number);
    expect(pids).toHaveLength(names.length);
    expect(pids.filter(isAlive)).toEqual([]);
    expect(printed.at(-1)).toBe('stopped');
  });

  it('--until-done waits for the last stage, not for ingest; the AbortSignal stops it gracefully', async () => {
    const ac = new AbortController();
    let returned = false;
    const running = up(options({ untilDone: true, env: { ...options().env, FAKE_ENDED: 'lobby', SCHEMA_REGISTRY_URL: 'http://127.0.0.1:9' } }), ac.signal).finally(
      () => (returned = true),
    );
    await until(() => printed.some((l) => l.startsWith('camera lobby has gone through')));
    await new Promise((r) => setTimeout(r, 500));
    expect(returned).toBe(false);
    expect(started('sink')).toBeDefined();
    ac.abort();
    expect(await running).toBe(0);
    expect(printed).toContain('schema registry http://127.0.0.1:9 (SCHEMA_REGISTRY_URL)');
    expect(existsSync(join(dir, '.facestream'))).toBe(false);
    expect(lines.filter((l) => l.line === 'draining')).toHaveLength(CONSUMERS.length);
  });

  it('without --source: --instances ingest workers, started with the other processes, and the hint to run serve', async () => {
    await expect(up(options({ sources: [], untilDone: true }))).rejects.toThrow('--until-done needs --source cameras: the cameras of ingest workers never end');
    const ac = new AbortController();
    const running = up(options({ sources: [], instances: { ingest: 2 }, env: { ...options().env, SCHEMA_REGISTRY_URL: 'http://127.0.0.1:9' } }), ac.signal);
    await until(() => started('ingest#0') !== undefined && started('ingest#1') !== undefined && started('episodes') !== undefined);
    const says = (name: string) => JSON.parse(started(name)!.line) as Record<string, unknown>;
    expect([says('ingest#0'), says('ingest#1')].map((s) => [s['proc'], s['instance'], s['camera']])).toEqual([
      ['ingest', '0', undefined],
      ['ingest', '1', undefined],
    ]);
    expect(printed).toContain('no --source: 2 ingest worker(s) run the cameras of the API (facestream serve with KAFKA_BROKERS=127.0.0.1:1 SCHEMA_REGISTRY_URL=http://127.0.0.1:9)');
    ac.abort();
    expect(await running).toBe(0);
  });
});

describe('endOfStreamCamera', () => {
  it('reads the camera from a pino end-of-stream line only', () => {
    expect(endOfStreamCamera('{"level":30,"time":1,"msg":"end of stream","camera":"lobby"}')).toBe('lobby');
    expect(endOfStreamCamera('{"level":30,"msg":"end of stream"}')).toBeUndefined();
    expect(endOfStreamCamera('{"level":30,"msg":"stage consuming","camera":"lobby"}')).toBeUndefined();
    expect(endOfStreamCamera('end of stream {"camera":"lobby"}')).toBeUndefined();
    expect(endOfStreamCamera('{"msg":"end of stream", broken')).toBeUndefined();
  });
});
