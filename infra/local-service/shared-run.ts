// One service (a broker, a server) shared by a whole `vitest run`, started only when a test first asks for it, so runs
// that need none start none (test/support/kafka*.ts, test/support/postgres*.ts). The vitest globalSetup makes a run
// directory and stops the service at teardown; the first test process that asks starts it, detached from itself (the
// next test file runs in another process) and owned by the main vitest process, and writes its state in the run
// directory for the others.
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readJson, writeJson } from './json-file.ts';
import { withDirLock } from './lock.ts';
import { isAlive } from './process.ts';

/** A service's shared state: what its users need, its pid and its throw-away directory. */
export interface SharedService {
  readonly pid: number;
}

export interface SharedRunHooks<S extends SharedService> {
  /** True if the state's pid is still that service (not a recycled pid). */
  readonly isRunning: (s: S) => boolean;
  /** Stops it by pid. */
  readonly stop: (s: S) => Promise<void>;
  /** Its throw-away directory, removed at teardown. */
  readonly dirOf: (s: S) => string;
}

const STATE_FILE = 'state.json';

/**
 * The globalSetup's part: a fresh run directory named `<prefix><vitest pid>-…`, and the teardown that stops the
 * service if one was started and removes both directories.
 */
export async function openSharedRun<S extends SharedService>(prefix: string, hooks: SharedRunHooks<S>): Promise<{ runDir: string; teardown: () => Promise<void> }> {
  await sweepDeadRuns(prefix);
  const runDir = await mkdtemp(join(tmpdir(), `${prefix}${process.pid}-`));
  const teardown = async (): Promise<void> => {
    const state = await readJson<S>(join(runDir, STATE_FILE));
    if (state && hooks.isRunning(state)) await hooks.stop(state);
    if (state) await rm(hooks.dirOf(state), { recursive: true, force: true });
    await rm(runDir, { recursive: true, force: true });
  };
  return { runDir, teardown };
}

/** A test process's part: the running service of the run, or one it starts now (once, under a lock). */
export function sharedService<S extends SharedService>(runDir: string, isRunning: (s: S) => boolean, start: () => Promise<S>): Promise<S> {
  return withDirLock(join(runDir, 'start.lock'), async () => {
    const running = await readJson<S>(join(runDir, STATE_FILE));
    if (running && isRunning(running)) return running;
    const state = await start();
    await writeJson(join(runDir, STATE_FILE), state);
    return state;
  });
}

/**
 * A run killed before its teardown (Ctrl-C, SIGKILL) leaves its small run directory behind; the service's watchdog
 * has already stopped it and removed its directory. Remove those of runs whose vitest process is gone.
 */
async function sweepDeadRuns(prefix: string): Promise<void> {
  for (const name of await readdir(tmpdir())) {
    const pid = name.startsWith(prefix) ? Number.parseInt(name.slice(prefix.length), 10) : NaN;
    if (Number.isInteger(pid) && pid > 0 && !isAlive(pid)) await rm(join(tmpdir(), name), { recursive: true, force: true });
  }
}
