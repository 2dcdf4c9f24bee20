// The process of a local service (a Kafka JVM, a postmaster) as our own child: start it with its output in a file,
// wait until it answers, stop it by the service's Shutdown, and make sure none outlives its owner. Unless detached,
// exit/signal handlers stop it on a normal exit or Ctrl-C; with an owner, a watchdog stops it when the owner dies
// even by SIGKILL (watchdog.ts).
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { open, rm } from 'node:fs/promises';
import { isAlive, signal, sleep } from './process.ts';
import type { Shutdown } from './process.ts';
import { spawnWatchdog } from './watchdog.ts';

/** Who keeps the process alive, and what goes with it. */
export interface Supervision {
  /** Let the process outlive this one (its own session; no exit handlers). */
  readonly detached: boolean;
  /** The process whose death stops the service (by the watchdog); undefined: none. */
  readonly ownerPid: number | undefined;
  /** A throw-away directory: removed by stop(), and by the watchdog once the owner died. */
  readonly ownedDir: string | undefined;
}

/**
 * The start options' defaults: owned by this process unless detached; a detached service with an owner outlives the
 * process that started it but not the owner (a test run's shared broker or server).
 */
export function supervision(opts: { readonly detached?: boolean; readonly ownerPid?: number }, ownedDir: string | undefined): Supervision {
  const detached = opts.detached ?? false;
  return { detached, ownerPid: opts.ownerPid ?? (detached ? undefined : process.pid), ownedDir };
}

export interface ServiceProcessOptions extends Supervision {
  /** 'kafka', 'postgres': names the watchdog. */
  readonly name: string;
  readonly shutdown: Shutdown;
}

export interface Command {
  readonly file: string;
  readonly args: readonly string[];
  readonly cwd: string;
  /** Where stdout and stderr are appended. */
  readonly outFile: string;
  readonly uid?: number | undefined;
  readonly gid?: number | undefined;
  readonly env?: NodeJS.ProcessEnv | undefined;
  /** The error's message when `file` is not found (ENOENT), e.g. how to install it. */
  readonly notFound?: string | undefined;
}

export interface Readiness {
  /** 'the broker', 'the server': the subject of the failure messages. */
  readonly subject: string;
  readonly timeoutMs: number;
  readonly intervalMs: number;
  /** One attempt to talk to the service: true once it answers. */
  readonly probe: () => Promise<boolean>;
  /** The error to throw, given what went wrong (e.g. quoting the service's log). */
  readonly failure: (what: string) => Promise<Error>;
}

export class ServiceProcess {
  #pid = 0;
  #child: ChildProcess | undefined;
  #exited: Promise<void> = Promise.resolve();
  #stopping: Promise<void> | undefined;

  readonly o: ServiceProcessOptions;

  constructor(o: ServiceProcessOptions) {
    this.o = o;
  }

  /** The current process's pid (a new one after each start). */
  get pid(): number {
    return this.#pid;
  }

  /** True once stop() was called: the process is not to be started again. */
  get stopped(): boolean {
    return this.#stopping !== undefined;
  }

  /** Spawns the command, then waits until ready() resolves; stops the process if it throws. */
  async start(cmd: Command, ready: () => Promise<void>): Promise<void> {
    const out = await open(cmd.outFile, 'a');
    let child: ChildProcess;
    try {
      child = spawn(cmd.file, cmd.args, {
        cwd: cmd.cwd,
        detached: this.o.detached,
        stdio: ['ignore', out.fd, out.fd],
        uid: cmd.uid,
        gid: cmd.gid,
        env: cmd.env,
      });
    } finally {
      await out.close();
    }
    if (child.pid === undefined) {
      const err = await new Promise<Error>((resolve) => child.once('error', resolve));
      throw (err as NodeJS.ErrnoException).code === 'ENOENT' && cmd.notFound !== undefined ? new Error(cmd.notFound) : err;
    }
    child.on('error', () => undefined);
    child.unref();
    this.#child = child;
    this.#pid = child.pid;
    this.#exited = new Promise((resolve) => child.once('exit', () => resolve()));
    if (this.o.ownerPid !== undefined) {
      spawnWatchdog({ name: this.o.name, ownerPid: this.o.ownerPid, pid: child.pid, shutdown: this.o.shutdown, removeDir: this.o.ownedDir });
    }
    if (!this.o.detached) live.add(this);
    hookProcessExit();

    try {
      await ready();
    } catch (err) {
      await this.halt();
      throw err;
    }
  }

  /** Polls until the service answers; fails as soon as the process is gone, or at the deadline. */
  async waitReady(r: Readiness): Promise<void> {
    const deadline = Date.now() + r.timeoutMs;
    for (;;) {
      if (!isAlive(this.#pid)) throw await r.failure(`${r.subject} exited while starting`);
      if (await r.probe()) return;
      if (Date.now() > deadline) throw await r.failure(`${r.subject} did not answer within ${r.timeoutMs / 1000} s`);
      await sleep(r.intervalMs);
    }
  }

  /** Stops the process only (the directory stays, for a restart). */
  async halt(): Promise<void> {
    live.delete(this);
    hookProcessExit();
    const child = this.#child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    // Our own child: its exit event is exact, and reaping it is Node's job.
    for (const step of this.o.shutdown) {
      child.kill(step.signal);
      if (await this.exitedWithin(step.waitMs)) return;
    }
    child.kill('SIGKILL');
    await this.#exited;
  }

  /** halt(), then removes the throw-away directory; resolves once both are done. Safe to call twice. */
  stop(): Promise<void> {
    this.#stopping ??= (async () => {
      await this.halt();
      if (this.o.ownedDir !== undefined) await rm(this.o.ownedDir, { recursive: true, force: true });
    })();
    return this.#stopping;
  }

  private async exitedWithin(ms: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const exited = await Promise.race([
      this.#exited.then(() => true),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms))),
    ]);
    clearTimeout(timer);
    return exited;
  }
}

// Processes this process owns, stopped if it exits or is interrupted without calling stop(). The watchdog covers
// deaths that run no handler (SIGKILL); these handlers make the common cases quick. One set for every service, so
// one handler per signal: with one per service, neither would be the only listener, and Ctrl-C would not end us.
const live = new Set<ServiceProcess>();
const STOP_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
let hooked = false;

/** Each its service's first shutdown signal (SIGTERM for Kafka, SIGINT, fast shutdown, for PostgreSQL). */
function stopAll(): void {
  for (const p of live) signal(p.pid, p.o.shutdown[0]?.signal ?? 'SIGKILL');
}

function onSignal(sig: NodeJS.Signals): void {
  stopAll();
  // If nobody else handles this signal, keep its default meaning (end the process) now that ours is done.
  if (process.listenerCount(sig) === 1) {
    unhook();
    process.kill(process.pid, sig);
  }
}

function unhook(): void {
  process.off('exit', stopAll);
  for (const sig of STOP_SIGNALS) process.off(sig, onSignal);
  hooked = false;
}

function hookProcessExit(): void {
  if (live.size > 0 && !hooked) {
    process.on('exit', stopAll);
    for (const sig of STOP_SIGNALS) process.on(sig, onSignal);
    hooked = true;
  } else if (live.size === 0 && hooked) {
    unhook();
  }
}
