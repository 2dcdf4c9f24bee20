// `facestream stage` started wrong, or against a registry that is not there: one clear line on stderr, exit 2,
// no stack trace — the supervisor then retries it with backoff instead of a tight crash loop.
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startSchemaRegistry } from '../../schemas/registry/server.ts';
import { REPO } from '../paths.ts';
import { kafkaBrokers, uniqueTopic } from '../support/kafka.ts';

interface Result {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function stage(args: readonly string[], env: Record<string, string>): Promise<Result> {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !['KAFKA_BROKERS', 'SCHEMA_REGISTRY_URL'].includes(k)));
  return new Promise((resolve) => {
    execFile(process.execPath, [join(REPO, 'bin/facestream.js'), 'stage', ...args], { cwd: REPO, timeout: 120_000, env: { ...clean, ...env } }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

function expectOneLine(r: Result, mention: RegExp): void {
  expect(r.code, r.stderr).toBe(2);
  expect(r.stderr).not.toMatch(/^\s+at /m);
  expect(r.stderr).not.toMatch(/unexpected error/);
  expect(r.stderr.trim().split('\n')).toHaveLength(1);
  expect(r.stderr).toMatch(mention);
}

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

describe('facestream stage: bad starts', () => {
  it('without KAFKA_BROKERS, says how to get a broker', async () => {
    expectOneLine(await stage(['match'], {}), /KAFKA_BROKERS is not set.*npm run kafka:up/);
  });

  it('an unknown topology or process, or ingest without a source, is named', async () => {
    const env = { KAFKA_BROKERS: '127.0.0.1:9', SCHEMA_REGISTRY_URL: 'http://127.0.0.1:9' };
    expectOneLine(await stage(['match', '--topology', 'nope'], env), /unknown topology "nope"/);
    expectOneLine(await stage(['nope'], env), /no process "nope"/);
    expectOneLine(await stage(['ingest', '--camera', 'door'], env), /--camera <id> and --source/);
  });

  it('the schema registry unreachable: retried with a warning per attempt, then one clear line', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fs-stage-'));
    await writeFile(join(dir, 'config.json'), JSON.stringify({ kafka: { max_retries: 2 } }));
    const url = `http://127.0.0.1:${await closedPort()}`;
    const r = await stage(['match', '--config', join(dir, 'config.json')], { KAFKA_BROKERS: '127.0.0.1:9', SCHEMA_REGISTRY_URL: url });
    expectOneLine(r, new RegExp(`registry.*${url.replace(/\./g, '\\.')}`, 'i'));
    const warnings = r.stdout.split('\n').filter((l) => l.includes('"level":40') && l.includes(url));
    expect(warnings.length).toBeGreaterThanOrEqual(2);
  });

  it('--instances 2 runs two supervised members of the group that split the partitions, and stops them on SIGTERM', async () => {
    const registry = await startSchemaRegistry({ port: 0 });
    try {
      const env = { ...process.env, KAFKA_BROKERS: (await kafkaBrokers()).join(','), SCHEMA_REGISTRY_URL: registry.url, FACESTREAM_TOPIC_PREFIX: `${uniqueTopic('inst')}.` };
      const child = spawn(process.execPath, [join(REPO, 'bin/facestream.js'), 'stage', 'match', '--instances', '2'], { cwd: REPO, env });
      const assigned = new Map<string, number[]>();
      let output = '';
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        for (const m of output.matchAll(/\[match#(\d)\] (\{.*"msg":"partitions assigned".*\})/g)) assigned.set(m[1]!, (JSON.parse(m[2]!) as { partitions: number[] }).partitions);
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
      const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
      for (let i = 0; i < 600 && !([...assigned.values()].filter((p) => p.length > 0).length === 2 && [...assigned.values()].flat().length === 4); i++) await new Promise((r) => setTimeout(r, 100));
      expect([...assigned.keys()].sort(), output.slice(-2000)).toEqual(['0', '1']);
      expect([...assigned.values()].flat().sort()).toEqual([0, 1, 2, 3]);
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      await registry.close();
    }
  });
});
