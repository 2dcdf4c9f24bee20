// A watchdog that stops a service's process when the process that owns it disappears, even by SIGKILL (which runs no
// exit handler), so no broker or server outlives a test run. It runs the service's own Shutdown (the same signals and
// waits as stop()), SIGKILL last, waits until the process is gone, then removes a throw-away directory if given.
import { spawn } from 'node:child_process';
import type { Shutdown } from './process.ts';

// Checks every second; ends by itself when the service exits. Ignores terminal signals: it runs in its own session,
// so Ctrl-C reaches the owner (whose handlers stop the service) and not the watchdog. The shutdown steps come as
// pairs of arguments: a signal name and how many tenths of a second to wait after it.
const WATCHDOG = String.raw`
owner=$1 pid=$2 dir=$3
shift 3
alive() { kill -0 "$1" 2>/dev/null && ! grep -qs '^State:[[:space:]]*Z' "/proc/$1/status"; }
wait_gone() { i=0; while alive "$pid" && [ "$i" -lt "$1" ]; do sleep 0.1; i=$((i + 1)); done; }
trap '' INT HUP TERM
while alive "$pid"; do
  if ! alive "$owner"; then
    while [ "$#" -ge 2 ]; do
      alive "$pid" && kill -"$1" "$pid" 2>/dev/null && wait_gone "$2"
      shift 2
    done
    alive "$pid" && kill -KILL "$pid" 2>/dev/null
    while alive "$pid"; do sleep 0.1; done
    break
  fi
  sleep 1
done
if [ -n "$dir" ] && ! alive "$owner"; then rm -rf -- "$dir"; fi
`;

export interface WatchdogOptions {
  /** Names the watchdog in `ps` (`<name>-watchdog`). */
  readonly name: string;
  /** The process whose death ends the service. */
  readonly ownerPid: number;
  /** The service's process. */
  readonly pid: number;
  readonly shutdown: Shutdown;
  /** A throw-away directory to remove once the owner died and the service is gone. */
  readonly removeDir?: string | undefined;
}

export function spawnWatchdog(o: WatchdogOptions): number | undefined {
  const steps = o.shutdown.flatMap((s) => [s.signal.replace(/^SIG/, ''), String(Math.ceil(s.waitMs / 100))]);
  const args = ['-c', WATCHDOG, `${o.name}-watchdog`, String(o.ownerPid), String(o.pid), o.removeDir ?? '', ...steps];
  const child = spawn('bash', args, { detached: true, stdio: 'ignore' });
  child.on('error', () => undefined); // no bash: the exit/signal handlers still stop the service
  child.unref();
  return child.pid;
}
