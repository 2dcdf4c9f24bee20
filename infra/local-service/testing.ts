// Helpers for the tests of a local service (infra/kafka, infra/postgres): a fixture process that holds a service
// until it is SIGKILLed, a detached service whose owner dies, a port someone else holds, and the service's command.
import { execFile, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { waitForExit } from './process.ts';

const REPO = fileURLToPath(new URL('../..', import.meta.url));

/** Polls `check` every 100 ms; false if it is still false after `timeoutMs`. */
export async function eventually(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 100));
  }
  return true;
}

/**
 * Runs a fixture (a .ts file, repo-relative) that starts a service owned by itself, prints it as one JSON line and
 * waits to be killed: the test SIGKILLs `child` (no exit handler runs) to see that the watchdog stops the service.
 */
export async function holdInChild<T>(fixture: string): Promise<{ child: ChildProcess; started: T }> {
  const child = spawn(process.execPath, [join(REPO, 'bin/run-ts.js'), join(REPO, fixture)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const line = await new Promise<string>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`fixture exited early (${code})`)));
    createInterface({ input: child.stdout! }).once('line', resolve);
  });
  return { child, started: JSON.parse(line) as T };
}

/**
 * Starts a detached service owned by a `sleep` process, SIGKILLs that owner, and reports whether the service's
 * process exited (within 20 s) and its throw-away directory went (5 s more). Stops the service in any case.
 */
export async function whenOwnerDies<S extends { readonly pid: number; stop(): Promise<void> }>(
  start: (ownerPid: number) => Promise<S>,
  dirOf: (service: S) => string,
): Promise<{ exited: boolean; dirRemoved: boolean }> {
  const owner = spawn('sleep', ['600'], { stdio: 'ignore' });
  const service = await start(owner.pid!);
  try {
    owner.kill('SIGKILL');
    const exited = await waitForExit(service.pid, 20_000);
    return { exited, dirRemoved: exited && (await eventually(() => !existsSync(dirOf(service)), 5_000)) };
  } finally {
    await service.stop();
  }
}

/** Holds a free loopback port (as another program would) while `fn` runs with it. */
export async function withTakenPort<T>(fn: (port: number) => Promise<T>): Promise<T> {
  const taken = createServer();
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
  const address = taken.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  try {
    return await fn(port);
  } finally {
    taken.close();
  }
}

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a service's command (a repo-relative .ts file) as a user would, in the state directory given; never rejects. */
export function runCli(cli: string, stateDir: string, args: readonly string[], timeoutMs: number): Promise<CliRun> {
  const argv = [join(REPO, 'bin/run-ts.js'), join(REPO, cli), ...args, '--state-dir', stateDir];
  return new Promise((resolve) => {
    execFile(process.execPath, argv, { cwd: REPO, timeout: timeoutMs }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}
