// Processes by pid: is it alive, what is its command line, and stopping it by a service's own shutdown signals
// (a Shutdown: e.g. Kafka's SIGTERM, PostgreSQL's SIGINT then SIGQUIT), SIGKILL last. Linux (reads /proc).
import { readFileSync } from 'node:fs';

/** A service's way to stop: each signal in turn, waiting `waitMs` for the exit after it; SIGKILL follows the last. */
export type Shutdown = readonly ShutdownStep[];

export interface ShutdownStep {
  readonly signal: NodeJS.Signals;
  readonly waitMs: number;
}

/** How long to wait for the exit after SIGKILL before giving up. */
const KILL_WAIT_MS = 10_000;

/** True if the process exists and is not a zombie (an exited child nobody has reaped yet counts as gone). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    return !/^State:\s*Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return false; // exited between the two checks
  }
}

/** The process's command line as its arguments, or undefined if it is gone. */
export function commandLine(pid: number): string[] | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter((a) => a !== '');
  } catch {
    return undefined;
  }
}

export async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pid)) {
    if (Date.now() > deadline) return false;
    await sleep(50);
  }
  return true;
}

/**
 * Stops a process that is not our child (polling /proc for its exit): the shutdown's signals in turn, then SIGKILL.
 * Resolves with the index of the step that ended it (shutdown.length: SIGKILL did); 0 if it was gone already.
 */
export async function stopPid(pid: number, shutdown: Shutdown, what = 'process'): Promise<number> {
  for (const [i, step] of shutdown.entries()) {
    if (!signal(pid, step.signal) && i === 0) return 0;
    if (await waitForExit(pid, step.waitMs)) return i;
  }
  signal(pid, 'SIGKILL');
  if (!(await waitForExit(pid, KILL_WAIT_MS))) throw new Error(`${what} ${pid} survived SIGKILL`);
  return shutdown.length;
}

export function signal(pid: number, sig: NodeJS.Signals): boolean {
  try {
    process.kill(pid, sig);
    return true;
  } catch {
    return false;
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
