// A watchdog that stops a PostgreSQL server when the process that owns it disappears, even by SIGKILL, so no
// postmaster (and none of its backends) outlives a test run. Linux.
//
// PostgreSQL's shutdown signals (postmaster): SIGTERM = smart (waits for every client to leave), SIGINT = fast
// (disconnects clients, checkpoints, exits), SIGQUIT = immediate (backends quit at once, crash recovery on the next
// start). The watchdog sends SIGINT, then SIGQUIT after the grace period, then SIGKILL 5 s later, and waits until the
// postmaster is gone; backends leave by themselves when they see their postmaster die.
import { spawn } from 'node:child_process';

// Checks every second; ends by itself when the server exits. Ignores terminal signals: it runs in its own session,
// so Ctrl-C reaches the owner (whose handlers stop the server) and not the watchdog.
const WATCHDOG = String.raw`
owner=$1 pg=$2 grace=$3 dir=$4
alive() { kill -0 "$1" 2>/dev/null && ! grep -qs '^State:[[:space:]]*Z' "/proc/$1/status"; }
wait_gone() { i=0; while alive "$pg" && [ "$i" -lt "$1" ]; do sleep 0.1; i=$((i + 1)); done; }
trap '' INT HUP TERM
while alive "$pg"; do
  if ! alive "$owner"; then
    kill -INT "$pg" 2>/dev/null
    wait_gone "$grace"
    alive "$pg" && kill -QUIT "$pg" 2>/dev/null && wait_gone 50
    alive "$pg" && kill -KILL "$pg" 2>/dev/null
    while alive "$pg"; do sleep 0.1; done
    break
  fi
  sleep 1
done
if [ -n "$dir" ] && ! alive "$owner"; then rm -rf -- "$dir"; fi
`;

export interface WatchdogOptions {
  /** The process whose death ends the server. */
  readonly ownerPid: number;
  /** The postmaster. */
  readonly serverPid: number;
  /** How long a fast shutdown may take before SIGQUIT. */
  readonly graceMs: number;
  /** A throw-away cluster directory to remove once the owner died and the server is gone. */
  readonly removeDir?: string;
}

export function spawnWatchdog(o: WatchdogOptions): number | undefined {
  const tenths = String(Math.ceil(o.graceMs / 100));
  const args = ['-c', WATCHDOG, 'postgres-watchdog', String(o.ownerPid), String(o.serverPid), tenths, o.removeDir ?? ''];
  const child = spawn('bash', args, { detached: true, stdio: 'ignore' });
  child.on('error', () => undefined); // no bash: the exit/signal handlers still stop the server
  child.unref();
  return child.pid;
}
