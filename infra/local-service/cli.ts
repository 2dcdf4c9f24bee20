// The `up | down | status` command of a local service that outlives the command (infra/kafka/cli.ts,
// infra/postgres/cli.ts). `up` and `status` print the service's address as one eval-able line on stdout; everything
// else goes to stderr, prefixed with the service's name. State lives in a state directory: state.json while running
// (its pid checked against /proc, so a recycled pid does not count), a ports file (the next `up` takes the same ports
// again when still free, so clients keep their address), and the service's data, which survives down/up. A lock
// keeps two `up`s (or an `up` and a `down`) from racing.
import { mkdir, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { readJson, writeJson } from './json-file.ts';
import { withDirLock } from './lock.ts';
import { HOST, freePorts, isPortFree } from './ports.ts';

/** What state.json holds: the service's own fields (its pid among them), then when it started. */
export interface RunningState {
  readonly pid: number;
  readonly startedAt: string;
}

export interface ServiceCommand<K extends string, S extends RunningState> {
  /** 'kafka', 'postgres': prefixes what the command says. */
  readonly name: string;
  readonly usage: string;
  readonly defaultStateDir: string;
  /** The ports the service listens on, each with its option (`--<option> N`), the first the one clients use. */
  readonly ports: Readonly<Record<K, string>>;
  /** The file in the state directory that remembers the ports, for the next `up`. */
  readonly portsFile: string;
  /** Starts the service (detached) with its data in the state directory; the state to keep, but for startedAt. */
  readonly start: (stateDir: string, ports: Readonly<Record<K, number>>) => Promise<Omit<S, 'startedAt'>>;
  /** True if the state's pid is still that service (not a recycled pid). */
  readonly isRunning: (s: S) => boolean;
  /** Stops it; resolves to a note for the "stopped" line (e.g. ' (fast shutdown)'), '' for none. */
  readonly stop: (s: S) => Promise<string>;
  /** The eval-able stdout line (e.g. KAFKA_BROKERS=…). */
  readonly address: (s: S) => string;
  /** Where it keeps its data and log, for stderr (e.g. 'data …, log …'). */
  readonly where: (s: S) => string;
  /** Its data directory, named when it stops (the data is kept). */
  readonly dataDir: (s: S) => string;
  /** The log of the last run, named when `status` finds none running. */
  readonly lastLog: (stateDir: string) => string;
  /** Further commands, e.g. `fetch` or `install`. */
  readonly commands?: Readonly<Record<string, () => Promise<number>>>;
}

/** Runs the command line `argv` and sets the process's exit code (2: usage, 1: failure or `status` not running). */
export function runServiceCommand<K extends string, S extends RunningState>(svc: ServiceCommand<K, S>, argv: string[]): void {
  const say = (line: string): void => void process.stderr.write(`${svc.name}: ${line}\n`);
  const cli = new Cli(svc, say);
  cli.main(argv).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      say(err instanceof Error ? err.message : String(err));
      process.exitCode = 1;
    },
  );
}

class Cli<K extends string, S extends RunningState> {
  constructor(
    private readonly svc: ServiceCommand<K, S>,
    private readonly say: (line: string) => void,
  ) {}

  async main(argv: string[]): Promise<number> {
    const portOptions = Object.fromEntries(Object.values<string>(this.svc.ports).map((o) => [o, { type: 'string' as const }]));
    const parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { ...portOptions, 'state-dir': { type: 'string' } },
    });
    const values = parsed.values as Record<string, string | undefined>;
    const stateDir = resolve(values['state-dir'] ?? this.svc.defaultStateDir);
    const asked: Partial<Record<K, number>> = {};
    for (const [key, option] of this.portEntries()) {
      const n = portArg(values[option], option);
      if (n !== undefined) asked[key] = n;
    }
    const command = parsed.positionals[0];
    switch (command) {
      case 'up':
        return this.up(stateDir, asked);
      case 'down':
        return this.down(stateDir);
      case 'status':
        return this.status(stateDir);
    }
    const extra = this.svc.commands;
    if (command !== undefined && extra !== undefined && Object.hasOwn(extra, command)) return extra[command]!();
    process.stderr.write(`${this.svc.usage}\n`);
    return 2;
  }

  private portEntries(): [K, string][] {
    return Object.entries(this.svc.ports) as [K, string][];
  }

  private async running(stateDir: string): Promise<S | undefined> {
    const s = await readJson<S>(join(stateDir, 'state.json'));
    return s && this.svc.isRunning(s) ? s : undefined;
  }

  private printRunning(s: S): void {
    process.stdout.write(`${this.svc.address(s)}\n`);
    this.say(`pid ${s.pid}, ${this.svc.where(s)}`);
  }

  private async up(stateDir: string, asked: Partial<Record<K, number>>): Promise<number> {
    await mkdir(stateDir, { recursive: true });
    const state = await withDirLock(join(stateDir, 'cli.lock'), async () => {
      const existing = await this.running(stateDir);
      if (existing) {
        this.say('already running');
        return existing;
      }
      const ports = await this.choosePorts(stateDir, asked);
      this.say(`starting on ${HOST}:${ports[this.portEntries()[0]![0]]}…`);
      const s = { ...(await this.svc.start(stateDir, ports)), startedAt: new Date().toISOString() } as S;
      await writeJson(join(stateDir, this.svc.portsFile), ports);
      await writeJson(join(stateDir, 'state.json'), s);
      return s;
    });
    this.printRunning(state);
    return 0;
  }

  private async down(stateDir: string): Promise<number> {
    await mkdir(stateDir, { recursive: true });
    return withDirLock(join(stateDir, 'cli.lock'), async () => {
      const s = await this.running(stateDir);
      await rm(join(stateDir, 'state.json'), { force: true });
      if (!s) {
        this.say('not running');
        return 0;
      }
      const started = Date.now();
      const note = await this.svc.stop(s);
      const took = ((Date.now() - started) / 1000).toFixed(1);
      this.say(`stopped pid ${s.pid}${note} in ${took} s; data kept in ${this.svc.dataDir(s)}`);
      return 0;
    });
  }

  private async status(stateDir: string): Promise<number> {
    const s = await this.running(stateDir);
    if (s) {
      this.printRunning(s);
      return 0;
    }
    this.say(`not running (log of the last run: ${this.svc.lastLog(stateDir)})`);
    return 1;
  }

  /** Each port: the one asked for (it must be free), else the last run's if still free, else a fresh one. */
  private async choosePorts(stateDir: string, asked: Partial<Record<K, number>>): Promise<Record<K, number>> {
    const last = await readJson<Partial<Record<K, number>>>(join(stateDir, this.svc.portsFile));
    const keys = this.portEntries().map(([key]) => key);
    const spare = await freePorts(2 * keys.length);
    const askedPorts = Object.values<number | undefined>(asked);
    const taken = new Set<number>();
    const chosen = {} as Record<K, number>;
    for (const key of keys) {
      const want = asked[key] ?? last?.[key];
      if (want !== undefined && !taken.has(want) && (await isPortFree(want))) {
        chosen[key] = want;
      } else {
        if (asked[key] !== undefined) throw new Error(`port ${asked[key]} is in use`);
        const fresh = spare.find((p) => !taken.has(p) && !askedPorts.includes(p))!;
        if (want !== undefined) this.say(`port ${want} is taken now; using ${fresh}`);
        chosen[key] = fresh;
      }
      taken.add(chosen[key]);
    }
    return chosen;
  }
}

function portArg(v: string | undefined, option: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 65_535) throw new Error(`--${option} must be a port number, not ${JSON.stringify(v)}`);
  return n;
}
