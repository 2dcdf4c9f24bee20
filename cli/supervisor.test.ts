import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { isAlive, waitForExit } from '../infra/local-service/process.ts';
import { backoffDelay, defaultOutput, Supervisor, type ChildExit, type ChildLine, type ChildStarted, type SupervisorOptions } from './supervisor.ts';

const logger = pino({ level: 'silent' });
const node = process.execPath;
const supervisors: Supervisor[] = [];

/** A fake child: `node -e <script>`. */
const child = (name: string, script: string, env?: Record<string, string>) => ({ name, command: node, args: ['-e', script], ...(env ? { env } : {}) });

function supervise(opts: Partial<SupervisorOptions> = {}) {
  const lines: ChildLine[] = [];
  const exits: ChildExit[] = [];
  const spawns: ChildStarted[] = [];
  const sup = new Supervisor({ logger, restartBackoff: { initialMs: 50, maxMs: 200 }, stopTimeoutMs: 2_000, output: (l) => lines.push(l), ...opts });
  sup.on('exit', (e) => exits.push(e));
  sup.on('spawn', (s) => spawns.push(s));
  supervisors.push(sup);
  return { sup, lines, exits, spawns };
}

async function until(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
}

afterEach(async () => {
  await Promise.all(supervisors.splice(0).map((s) => s.kill()));
});

describe('backoffDelay', () => {
  it('doubles from initialMs up to maxMs', () => {
    const b = { initialMs: 500, maxMs: 10_000 };
    expect([1, 2, 3, 4, 5, 6, 7].map((n) => backoffDelay(n, b))).toEqual([500, 1000, 2000, 4000, 8000, 10_000, 10_000]);
  });
});

describe('Supervisor', () => {
  it('restarts a crashing child with a growing backoff and logs each restart', async () => {
    const warnings: string[] = [];
    const spy = pino({ level: 'warn' }, { write: (s: string) => void warnings.push(JSON.parse(s).msg as string) });
    const { sup, exits, spawns } = supervise({ logger: spy });
    sup.add(child('crash', 'console.log("up"); process.exit(3)'));
    sup.start();
    await until(() => exits.length >= 4);
    await sup.stop();
    expect(exits.slice(0, 4).map((e) => [e.code, e.outcome, e.restarts, e.delayMs])).toEqual([
      [3, 'restarting', 1, 50],
      [3, 'restarting', 2, 100],
      [3, 'restarting', 3, 200],
      [3, 'restarting', 4, 200],
    ]);
    expect(spawns.slice(0, 4).map((s) => s.restarts)).toEqual([0, 1, 2, 3]);
    expect(warnings[0]).toMatch(/^crash exited with code 3 after \d+\.\d s; restart #1 in 0\.1 s$/);
    expect(warnings[2]).toMatch(/restart #3 in 0\.2 s$/);
  });

  it('restarts a child killed by a signal from outside', async () => {
    const { sup, exits, spawns, lines } = supervise();
    sup.add(child('victim', 'console.log("ready"); setInterval(() => {}, 1000)'));
    sup.start();
    await until(() => lines.length === 1);
    process.kill(spawns[0]!.pid, 'SIGKILL');
    await until(() => spawns.length === 2);
    expect(exits[0]).toMatchObject({ name: 'victim', code: null, signal: 'SIGKILL', outcome: 'restarting', restarts: 1, delayMs: 50 });
    expect(spawns[1]!.pid).not.toBe(spawns[0]!.pid);
    expect(sup.status()).toEqual([{ name: 'victim', state: 'running', pid: spawns[1]!.pid, restarts: 1 }]);
  });

  it('starts the backoff over once a child has run for stableAfterMs', async () => {
    const { sup, exits } = supervise({ stableAfterMs: 300 });
    sup.add(child('slow-crash', 'setTimeout(() => process.exit(1), 400)'));
    sup.start();
    await until(() => exits.length >= 2);
    expect(exits.slice(0, 2).map((e) => e.delayMs)).toEqual([50, 50]);
  });

  it('does not restart a child that exits 0, and says when all are done', async () => {
    const { sup, exits, spawns } = supervise();
    const done = new Promise<void>((resolve) => sup.once('done', resolve));
    sup.add(child('a', 'console.log("a")'));
    sup.add(child('b', 'setTimeout(() => {}, 200)'));
    sup.start();
    await done;
    await new Promise((r) => setTimeout(r, 200));
    expect(spawns).toHaveLength(2);
    expect(exits.map((e) => [e.name, e.code, e.outcome]).sort()).toEqual([
      ['a', 0, 'done'],
      ['b', 0, 'done'],
    ]);
    expect(sup.status().map((s) => s.state)).toEqual(['done', 'done']);
  });

  it('stop() sends SIGTERM, then SIGKILL to a child that ignores it; resolves when all exited', async () => {
    const { sup, exits, lines } = supervise({ stopTimeoutMs: 500 });
    sup.add(child('stubborn', 'process.on("SIGTERM", () => console.log("ignoring SIGTERM")); console.log("ready"); setInterval(() => {}, 1000)'));
    sup.add(child('polite', 'process.on("SIGTERM", () => { console.log("draining"); process.exit(0) }); console.log("ready"); setInterval(() => {}, 1000)'));
    sup.start();
    await until(() => lines.filter((l) => l.line === 'ready').length === 2);
    const t0 = Date.now();
    await Promise.all([sup.stop(), sup.stop()]);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(450);
    const byName = Object.fromEntries(exits.map((e) => [e.name, e]));
    expect(byName['stubborn']).toMatchObject({ signal: 'SIGKILL', outcome: 'stopped' });
    expect(byName['polite']).toMatchObject({ code: 0, signal: null, outcome: 'stopped' });
    expect(lines.map((l) => `${l.name}: ${l.line}`)).toEqual(expect.arrayContaining(['stubborn: ignoring SIGTERM', 'polite: draining']));
    expect(sup.status().map((s) => s.state)).toEqual(['stopped', 'stopped']);
    await sup.stop(); // idempotent, resolves at once
    expect(() => sup.add(child('late', ''))).toThrow(/stopping/);
  });

  it('kill() ends a graceful stop at once', async () => {
    const { sup, exits, lines } = supervise({ stopTimeoutMs: 60_000 });
    sup.add(child('stubborn', 'process.on("SIGTERM", () => {}); console.log("ready"); setInterval(() => {}, 1000)'));
    sup.start();
    await until(() => lines.length === 1);
    const stopped = sup.stop();
    await new Promise((r) => setTimeout(r, 100));
    await sup.kill();
    await stopped;
    expect(exits[0]).toMatchObject({ signal: 'SIGKILL', outcome: 'stopped' });
  });

  it('stop() cancels a pending restart', async () => {
    const { sup, exits, spawns } = supervise({ restartBackoff: { initialMs: 60_000, maxMs: 60_000 } });
    sup.add(child('crash', 'process.exit(1)'));
    sup.start();
    await until(() => exits.length === 1);
    await sup.stop();
    expect(spawns).toHaveLength(1);
    expect(sup.status()[0]!.state).toBe('stopped');
  });

  it('remove() stops one child at run time, the others keep running, and the name can be added again', async () => {
    const { sup, exits, spawns } = supervise();
    sup.start();
    sup.add(child('a', 'setInterval(() => {}, 1000)'));
    sup.add(child('b', 'setInterval(() => {}, 1000)'));
    await until(() => spawns.length === 2);
    await sup.remove('a');
    expect(exits).toEqual([expect.objectContaining({ name: 'a', signal: 'SIGTERM', outcome: 'stopped' })]);
    expect(sup.status().map((s) => [s.name, s.state])).toEqual([['b', 'running']]);
    sup.add(child('a', 'setInterval(() => {}, 1000)'));
    await until(() => spawns.length === 3);
    expect(sup.status().map((s) => s.state)).toEqual(['running', 'running']);
    await sup.remove('nobody');
  });

  it('remove() cancels a pending restart and SIGKILLs a child that ignores SIGTERM', async () => {
    const { sup, exits, spawns } = supervise({ restartBackoff: { initialMs: 60_000, maxMs: 60_000 }, stopTimeoutMs: 300 });
    sup.start();
    sup.add(child('crash', 'process.exit(1)'));
    await until(() => exits.length === 1);
    await sup.remove('crash');
    expect(spawns).toHaveLength(1);
    sup.add(child('stubborn', 'process.on("SIGTERM", () => {}); console.log("ready"); setInterval(() => {}, 1000)'));
    await until(() => spawns.length === 2);
    await new Promise((r) => setTimeout(r, 200)); // its SIGTERM handler is installed
    await sup.remove('stubborn');
    expect(exits.at(-1)).toMatchObject({ name: 'stubborn', signal: 'SIGKILL', outcome: 'stopped' });
    expect(sup.status()).toEqual([]);
  });

  it('passes output through line by line with the child name, stdout and stderr apart', async () => {
    const { sup, lines } = supervise();
    sup.add(child('detect', 'process.stdout.write("one\\ntw"); setTimeout(() => { process.stdout.write("o\\r\\nthree"); console.error("oops") }, 50)'));
    sup.start();
    await new Promise<void>((resolve) => sup.once('done', resolve));
    expect(lines).toEqual(
      expect.arrayContaining([
        { name: 'detect', stream: 'stdout', line: 'one' },
        { name: 'detect', stream: 'stdout', line: 'two' },
        { name: 'detect', stream: 'stdout', line: 'three' },
        { name: 'detect', stream: 'stderr', line: 'oops' },
      ]),
    );
    expect(lines).toHaveLength(4);
  });

  it('prefixes lines by default', () => {
    const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      defaultOutput({ name: 'detect', stream: 'stdout', line: '{"msg":"hi"}' });
      defaultOutput({ name: 'embed#1', stream: 'stderr', line: 'warning' });
      expect(out).toHaveBeenCalledWith('[detect] {"msg":"hi"}\n');
      expect(err).toHaveBeenCalledWith('[embed#1] warning\n');
    } finally {
      out.mockRestore();
      err.mockRestore();
    }
  });

  it('gives each child its environment on top of its own', async () => {
    const { sup, lines } = supervise();
    sup.add(child('env', 'console.log(process.env.FACESTREAM_TEST_VALUE, typeof process.env.PATH)', { FACESTREAM_TEST_VALUE: 'x42' }));
    sup.start();
    await new Promise<void>((resolve) => sup.once('done', resolve));
    expect(lines.map((l) => l.line)).toEqual(['x42 string']);
  });

  it('restarts a command that cannot be started, with backoff', async () => {
    const { sup, exits } = supervise();
    sup.add({ name: 'missing', command: '/nonexistent/facestream-no-such-command', args: [] });
    sup.start();
    await until(() => exits.length >= 2);
    expect(exits[0]).toMatchObject({ outcome: 'restarting', delayMs: 50 });
    expect(exits[0]!.code).not.toBe(0);
  });

  it.runIf(new Supervisor({ logger }).orphanGuarded)('children die when the supervisor is SIGKILLed', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'facestream-supervisor-'));
    try {
      const supervisorTs = fileURLToPath(new URL('./supervisor.ts', import.meta.url));
      const script = join(dir, 'run.mts'); // .mts: ESM though the temp folder has no package.json
      const pidFile = join(dir, 'child.pid');
      await writeFile(
        script,
        [
          `import pino from ${JSON.stringify(createRequire(import.meta.url).resolve('pino'))};`,
          `import { Supervisor } from ${JSON.stringify(supervisorTs)};`,
          `const sup = new Supervisor({ logger: pino({ level: 'silent' }) });`,
          // the child ignores SIGTERM and its stdin: only the kernel's death signal can end it
          `sup.add({ name: 'orphan', command: process.execPath, args: ['-e', ${JSON.stringify(
            `process.on('SIGTERM', () => {}); require('fs').writeFileSync(${JSON.stringify(pidFile)}, String(process.pid)); setInterval(() => {}, 1000)`,
          )}] });`,
          `sup.on('spawn', () => console.log('spawned'));`,
          `sup.start();`,
        ].join('\n'),
      );
      const runTs = fileURLToPath(new URL('../bin/run-ts.js', import.meta.url));
      const owner = spawn(node, [runTs, script], { stdio: ['ignore', 'pipe', 'inherit'], cwd: fileURLToPath(new URL('..', import.meta.url)) });
      let childPid = 0;
      let ownerExit: string | undefined;
      owner.on('exit', (code, sig) => (ownerExit = `${code ?? sig}`));
      await until(() => {
        if (ownerExit !== undefined) throw new Error(`the supervisor process exited early (${ownerExit})`);
        void readFile(pidFile, 'utf8').then((t) => (childPid = Number(t)), () => undefined);
        return childPid > 0;
      }, 30_000);
      expect(isAlive(childPid)).toBe(true);
      owner.kill('SIGKILL');
      expect(await waitForExit(childPid, 5_000)).toBe(true);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
