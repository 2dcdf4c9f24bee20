// Processes by pid: is it alive, stop it (SIGTERM, then SIGKILL after a deadline), and a watchdog that kills the
// broker's JVM when the process that owns it disappears, even by SIGKILL. Linux (reads /proc).
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';

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
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return true;
}

/** SIGTERM, then SIGKILL if it has not exited after `graceMs`; resolves once it is gone. */
export async function terminate(pid: number, graceMs: number): Promise<'exited' | 'killed'> {
  if (!signal(pid, 'SIGTERM')) return 'exited';
  if (await waitForExit(pid, graceMs)) return 'exited';
  signal(pid, 'SIGKILL');
  if (!(await waitForExit(pid, 10_000))) throw new Error(`process ${pid} survived SIGKILL`);
  return 'killed';
}

export function signal(pid: number, sig: NodeJS.Signals): boolean {
  try {
    process.kill(pid, sig);
    return true;
  } catch {
    return false;
  }
}

// Checks every second. When the owner is gone: SIGTERM the JVM, SIGKILL it after the grace period, then remove the
// throw-away data directory if one was given. Ends by itself when the JVM exits. Ignores terminal signals: it runs in
// its own session, so Ctrl-C reaches the owner (whose handlers stop the broker) and not the watchdog.
const WATCHDOG = String.raw`
owner=$1 java=$2 grace=$3 dir=$4
alive() { kill -0 "$1" 2>/dev/null && ! grep -qs '^State:[[:space:]]*Z' "/proc/$1/status"; }
trap '' INT HUP TERM
while alive "$java"; do
  if ! alive "$owner"; then
    kill -TERM "$java" 2>/dev/null
    i=0
    while alive "$java" && [ "$i" -lt "$grace" ]; do sleep 0.1; i=$((i + 1)); done
    alive "$java" && kill -KILL "$java" 2>/dev/null
    while alive "$java"; do sleep 0.1; done
    break
  fi
  sleep 1
done
if [ -n "$dir" ] && ! alive "$owner"; then rm -rf -- "$dir"; fi
`;

export interface WatchdogOptions {
  /** The process whose death ends the broker. */
  readonly ownerPid: number;
  readonly javaPid: number;
  readonly graceMs: number;
  /** A throw-away data directory to remove once the owner died and the JVM is gone. */
  readonly removeDir?: string;
}

export function spawnWatchdog(o: WatchdogOptions): number | undefined {
  const tenths = String(Math.ceil(o.graceMs / 100));
  const child = spawn('bash', ['-c', WATCHDOG, 'kafka-watchdog', String(o.ownerPid), String(o.javaPid), tenths, o.removeDir ?? ''], {
    detached: true,
    stdio: 'ignore',
  });
  child.on('error', () => undefined); // no bash: the exit/signal handlers still stop the broker
  child.unref();
  return child.pid;
}
