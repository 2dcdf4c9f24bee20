// Keeps a set of child processes running (`facestream up`, the cameras of an ingest worker): a child that fails is
// restarted after an exponential backoff, a child that exits 0 is done, remove() stops one at run time, and stop() is
// a soft stop then a hard one (STYLE.md §2): SIGTERM to every child, SIGKILL to those still running after
// stopTimeoutMs.
//
// No child is left behind. The owner calls stop() on SIGINT/SIGTERM; and on Linux each child is started through
// `setpriv --pdeathsig KILL` (util-linux), so the kernel kills it when the supervisor dies in any way, SIGKILL
// included. A small `sh` step between setpriv and the command closes the one race (the supervisor dying before the
// death signal was armed) and then execs the command, so the child keeps its pid and needs nothing itself. Guarded
// children run in their own session: a Ctrl-C in the terminal reaches only the supervisor, which stops them in order.
// Without setpriv (not Linux) children stay in the supervisor's process group and their stdin is a pipe the
// supervisor never writes: a child may treat its EOF as "supervisor gone".
import { spawn, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Logger } from 'pino';

export interface ChildSpec {
  /** unique; prefixes the child's output lines and names it in logs */
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  /** added to (and overriding) the supervisor's own environment */
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly cwd?: string;
}

export interface ChildLine {
  readonly name: string;
  readonly stream: 'stdout' | 'stderr';
  readonly line: string;
}

export interface ChildStarted {
  readonly name: string;
  readonly pid: number;
  /** 0 for the first start */
  readonly restarts: number;
}

export interface ChildExit {
  readonly name: string;
  readonly pid: number | undefined;
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** how long this run lasted */
  readonly ranMs: number;
  /** done = exited 0 (not restarted); restarting = failed, starts again after delayMs; stopped = by stop() */
  readonly outcome: 'done' | 'restarting' | 'stopped';
  /** restarts so far, including the one just scheduled */
  readonly restarts: number;
  readonly delayMs?: number;
}

export interface SupervisorEvents {
  spawn: [ChildStarted];
  exit: [ChildExit];
  /** every child has exited 0 (emitted once; not after stop()) */
  done: [];
}

export type ChildState = 'pending' | 'running' | 'backoff' | 'done' | 'stopped';

export interface ChildStatus {
  readonly name: string;
  readonly state: ChildState;
  readonly pid: number | undefined;
  readonly restarts: number;
}

export interface SupervisorOptions {
  readonly logger: Logger;
  /** delay before restart n (counting failures in a row) is initialMs·2^(n−1), at most maxMs */
  readonly restartBackoff?: { readonly initialMs: number; readonly maxMs: number };
  /** a child that ran at least this long before it failed starts over from initialMs (default 30 s) */
  readonly stableAfterMs?: number;
  /** stop(): how long children get after SIGTERM before SIGKILL (default 15 s) */
  readonly stopTimeoutMs?: number;
  /** where the children's output lines go; default `[name] line` on this process's stdout / stderr */
  readonly output?: (line: ChildLine) => void;
  /** kill children when the supervisor dies (Linux, setpriv); default true where setpriv is found */
  readonly orphanGuard?: boolean;
}

const DEFAULT_BACKOFF = { initialMs: 500, maxMs: 10_000 };
/** after a child exits, how long its output pipes may stay open (held by a grandchild) before we close them */
const PIPE_GRACE_MS = 2_000;

// $1 = the supervisor's pid. Reparented already (the supervisor died before setpriv armed the death signal): leave.
const GUARD = '[ "$PPID" = "$1" ] || exit 129; shift; exec "$@"';

/** setpriv's path if this is Linux and it is installed, else undefined. */
export function findSetpriv(): string | undefined {
  if (process.platform !== 'linux') return undefined;
  for (const dir of (process.env['PATH'] ?? '/usr/bin:/bin').split(delimiter)) {
    const file = join(dir, 'setpriv');
    if (dir && existsSync(file)) return file;
  }
  return undefined;
}

export function defaultOutput({ name, stream, line }: ChildLine): void {
  (stream === 'stdout' ? process.stdout : process.stderr).write(`[${name}] ${line}\n`);
}

/** Delay before the n-th restart in a row (n ≥ 1). */
export function backoffDelay(failuresInARow: number, backoff: { readonly initialMs: number; readonly maxMs: number }): number {
  return Math.min(backoff.maxMs, backoff.initialMs * 2 ** Math.max(0, failuresInARow - 1));
}

interface Slot {
  readonly spec: ChildSpec;
  state: ChildState;
  proc: ChildProcess | undefined;
  startedAt: number;
  restarts: number;
  failuresInARow: number;
  timer: NodeJS.Timeout | undefined;
  /** resolves when the current run has exited and its output is flushed */
  closed: Promise<void>;
  /** remove() was called: not restarted, whatever the exit */
  removed: boolean;
}

export class Supervisor extends EventEmitter<SupervisorEvents> {
  private readonly logger: Logger;
  private readonly backoff: { readonly initialMs: number; readonly maxMs: number };
  private readonly stableAfterMs: number;
  private readonly stopTimeoutMs: number;
  private readonly output: (line: ChildLine) => void;
  private readonly setpriv: string | undefined;
  private readonly slots = new Map<string, Slot>();
  private started = false;
  private stopping: Promise<void> | undefined;
  private doneEmitted = false;

  constructor(opts: SupervisorOptions) {
    super();
    this.logger = opts.logger;
    this.backoff = opts.restartBackoff ?? DEFAULT_BACKOFF;
    this.stableAfterMs = opts.stableAfterMs ?? 30_000;
    this.stopTimeoutMs = opts.stopTimeoutMs ?? 15_000;
    this.output = opts.output ?? defaultOutput;
    this.setpriv = opts.orphanGuard === false ? undefined : findSetpriv();
    if (opts.orphanGuard === true && !this.setpriv) {
      this.logger.warn('setpriv not found (util-linux, Linux only): children are not killed if this process is killed with SIGKILL');
    }
  }

  /** True when children die with the supervisor even if it is SIGKILLed. */
  get orphanGuarded(): boolean {
    return this.setpriv !== undefined;
  }

  add(spec: ChildSpec): void {
    if (this.stopping) throw new Error(`supervisor is stopping; cannot add ${spec.name}`);
    if (this.slots.has(spec.name)) throw new Error(`a child named ${spec.name} already exists`);
    const slot: Slot = { spec, state: 'pending', proc: undefined, startedAt: 0, restarts: 0, failuresInARow: 0, timer: undefined, closed: Promise.resolve(), removed: false };
    this.slots.set(spec.name, slot);
    if (this.started) this.launch(slot);
  }

  /** Starts every child added so far; children added later start at once. */
  start(): void {
    if (this.stopping) throw new Error('supervisor is stopping; cannot start');
    if (this.started) return;
    this.started = true;
    for (const slot of this.slots.values()) this.launch(slot);
  }

  /**
   * Stops one child (SIGTERM, SIGKILL after stopTimeoutMs; a pending restart is cancelled) and forgets it, so that
   * a child of the same name may be added again. Resolves once it has exited; at once for an unknown name.
   */
  async remove(name: string): Promise<void> {
    const slot = this.slots.get(name);
    if (!slot) return;
    slot.removed = true;
    clearTimeout(slot.timer);
    if (slot.state === 'running') {
      this.signal(slot, 'SIGTERM');
      const deadline = setTimeout(() => {
        this.logger.warn({ child: name, childPid: slot.proc?.pid }, `${name} still running ${seconds(this.stopTimeoutMs)} after SIGTERM; SIGKILL`);
        this.signal(slot, 'SIGKILL');
      }, this.stopTimeoutMs);
      await slot.closed;
      clearTimeout(deadline);
    }
    slot.state = 'stopped';
    if (this.slots.get(name) === slot) this.slots.delete(name);
  }

  status(): ChildStatus[] {
    return [...this.slots.values()].map((s) => ({ name: s.spec.name, state: s.state, pid: s.proc?.pid, restarts: s.restarts }));
  }

  /**
   * SIGTERM to every running child, SIGKILL to any still running after stopTimeoutMs; pending restarts are
   * cancelled. Resolves when every child has exited. Safe to call again (same promise).
   */
  stop(): Promise<void> {
    this.stopping ??= this.stopAll();
    return this.stopping;
  }

  /** The hard stop: SIGKILL every running child now (a second Ctrl-C). Also begins stop() if it had not begun. */
  kill(): Promise<void> {
    const stopped = this.stop();
    for (const slot of this.slots.values()) this.signal(slot, 'SIGKILL');
    return stopped;
  }

  private async stopAll(): Promise<void> {
    const running = [...this.slots.values()].filter((s) => s.state === 'running');
    for (const slot of this.slots.values()) {
      clearTimeout(slot.timer);
      if (slot.state === 'pending' || slot.state === 'backoff') slot.state = 'stopped';
    }
    if (running.length === 0) return;
    this.logger.info({ children: running.map((s) => s.spec.name), stopTimeoutMs: this.stopTimeoutMs }, `stopping ${running.length} children (SIGTERM, SIGKILL after ${seconds(this.stopTimeoutMs)})`);
    for (const slot of running) this.signal(slot, 'SIGTERM');
    const deadline = setTimeout(() => {
      for (const slot of running) {
        if (slot.state !== 'running') continue;
        this.logger.warn({ child: slot.spec.name, childPid: slot.proc?.pid }, `${slot.spec.name} still running ${seconds(this.stopTimeoutMs)} after SIGTERM; SIGKILL`);
        this.signal(slot, 'SIGKILL');
      }
    }, this.stopTimeoutMs);
    await Promise.all(running.map((s) => s.closed));
    clearTimeout(deadline);
  }

  private signal(slot: Slot, sig: NodeJS.Signals): void {
    const proc = slot.proc;
    if (slot.state !== 'running' || !proc || proc.exitCode !== null || proc.signalCode !== null) return;
    try {
      proc.kill(sig);
    } catch {
      // gone already; its close event settles the slot
    }
  }

  private launch(slot: Slot): void {
    const { spec } = slot;
    const [command, args] = this.setpriv
      ? [this.setpriv, ['--pdeathsig', 'KILL', '--', '/bin/sh', '-c', GUARD, 'facestream-child', String(process.pid), spec.command, ...spec.args]]
      : [spec.command, [...spec.args]];
    const proc = spawn(command, args, {
      env: { ...process.env, ...spec.env },
      ...(spec.cwd ? { cwd: spec.cwd } : {}),
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: this.setpriv !== undefined,
      windowsHide: true,
    });
    slot.proc = proc;
    slot.state = 'running';
    slot.startedAt = Date.now();
    slot.timer = undefined;
    proc.stdin?.on('error', () => undefined); // we never write; a child closing its end is not our error
    this.pipeLines(spec.name, 'stdout', proc);
    this.pipeLines(spec.name, 'stderr', proc);

    let spawnError: Error | undefined;
    proc.on('error', (err) => {
      spawnError ??= err;
    });
    proc.once('exit', () => {
      // a grandchild holding our pipes must not keep this run open forever
      const t = setTimeout(() => {
        proc.stdout?.destroy();
        proc.stderr?.destroy();
      }, PIPE_GRACE_MS);
      t.unref();
      proc.once('close', () => clearTimeout(t));
    });
    slot.closed = new Promise<void>((resolve) => {
      proc.once('close', (code: number | null, signal: NodeJS.Signals | null) => {
        this.settle(slot, proc, code, signal, spawnError);
        resolve();
      });
    });
    if (proc.pid !== undefined) {
      const log = { child: spec.name, childPid: proc.pid, restarts: slot.restarts };
      if (slot.restarts === 0) this.logger.debug(log, `${spec.name} started (pid ${proc.pid})`);
      else this.logger.info(log, `${spec.name} restarted (pid ${proc.pid}, restart #${slot.restarts})`);
      this.emit('spawn', { name: spec.name, pid: proc.pid, restarts: slot.restarts });
    }
  }

  private pipeLines(name: string, stream: 'stdout' | 'stderr', proc: ChildProcess): void {
    const input = proc[stream];
    if (!input) return;
    input.on('error', () => undefined);
    const lines = createInterface({ input, crlfDelay: Infinity });
    lines.on('line', (line) => this.output({ name, stream, line }));
  }

  private settle(slot: Slot, proc: ChildProcess, code: number | null, signal: NodeJS.Signals | null, spawnError: Error | undefined): void {
    if (slot.proc !== proc) return;
    slot.proc = undefined;
    const name = slot.spec.name;
    const ranMs = Date.now() - slot.startedAt;
    const how = spawnError ? `failed to start (${spawnError.message})` : signal ? `was killed by ${signal}` : `exited with code ${code}`;
    const base = { name, pid: proc.pid, code, signal, ranMs };

    if (this.stopping || slot.removed) {
      slot.state = 'stopped';
      this.logger.info({ child: name, code, signal }, `${name} stopped (${signal ?? `code ${code}`})`);
      this.emit('exit', { ...base, outcome: 'stopped', restarts: slot.restarts });
      return;
    }
    if (code === 0 && !spawnError) {
      slot.state = 'done';
      this.logger.info({ child: name, ranMs }, `${name} finished (code 0); not restarted`);
      this.emit('exit', { ...base, outcome: 'done', restarts: slot.restarts });
      if (!this.doneEmitted && [...this.slots.values()].every((s) => s.state === 'done')) {
        this.doneEmitted = true;
        this.emit('done');
      }
      return;
    }
    slot.failuresInARow = ranMs >= this.stableAfterMs ? 1 : slot.failuresInARow + 1;
    slot.restarts += 1;
    const delayMs = backoffDelay(slot.failuresInARow, this.backoff);
    slot.state = 'backoff';
    slot.timer = setTimeout(() => this.launch(slot), delayMs);
    this.logger.warn(
      { child: name, code, signal, restarts: slot.restarts, delayMs, ranMs },
      `${name} ${how} after ${seconds(ranMs)}; restart #${slot.restarts} in ${seconds(delayMs)}`,
    );
    this.emit('exit', { ...base, outcome: 'restarting', restarts: slot.restarts, delayMs });
  }
}

function seconds(ms: number): string {
  return ms < 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms / 1000)} s`;
}
