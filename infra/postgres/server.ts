// A throw-away PostgreSQL 15 server from Debian's package, on loopback, for tests and local use. startPostgres()
// runs initdb into a fresh temporary directory (or reuses a given cluster directory), starts the postmaster on a free
// 127.0.0.1 port and resolves once a client's `SELECT 1` gets an answer.
//
// The postmaster is our own child (not pg_ctl's grandchild), so its pid is exact and its exit observed; stop() is
// pg_ctl's "fast" mode by signal. No server is left behind: unless `detached`, a watchdog stops it when the Node
// process that started it dies (even by SIGKILL), and exit/signal handlers stop it on a normal exit or Ctrl-C.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve as resolvePath } from 'node:path';
import pg from 'pg';
import { tailSection } from '../local-service/log.ts';
import { freePorts } from '../local-service/ports.ts';
import { commandLine, isAlive, stopPid } from '../local-service/process.ts';
import type { Shutdown } from '../local-service/process.ts';
import { ServiceProcess, supervision } from '../local-service/service-process.ts';
import type { Supervision } from '../local-service/service-process.ts';
import { assertReachable, handOver, serverAccount } from './account.ts';
import type { Account } from './account.ts';
import { HOST, INSTALL_HINT, SUPERUSER, binDir, clusterLayout, connectionUrl, hasBinaries } from './layout.ts';
import type { ClusterLayout } from './layout.ts';

export interface StartPostgresOptions {
  /**
   * The cluster directory (data, socket, log). Default: a fresh temporary directory, removed by stop(). A given one
   * is kept, and initdb runs only if it holds no cluster yet.
   */
  readonly dir?: string;
  /** Default: a free loopback port. */
  readonly port?: number;
  /** A database to create if missing; `url` points at it. Default: `postgres`. */
  readonly database?: string;
  /** Let the server outlive this process (its own session; no exit handlers). For `postgres up`. */
  readonly detached?: boolean;
  /**
   * The process whose death stops the server. Default: this process, or none when detached. A detached server with
   * an owner outlives the process that started it but not the owner (the test runner's shared server).
   */
  readonly ownerPid?: number;
  /**
   * Keep fsync, synchronous commit and full-page writes on. Default false: a throw-away test cluster trades crash
   * safety (of the machine, not of the process) for speed.
   */
  readonly durable?: boolean;
  /** Further server settings (`-c name=value`). */
  readonly settings?: Readonly<Record<string, string>>;
  /** The directory with initdb and postgres. Default: binDir(). */
  readonly binDir?: string;
  /** How long to wait for the server to answer. Default 30 s. */
  readonly readyTimeoutMs?: number;
  /** How long stop() waits for a fast shutdown before an immediate one. Default 10 s. */
  readonly stopTimeoutMs?: number;
}

export interface PostgresServer {
  /** postgres://postgres@127.0.0.1:<port>/<database>: give to `pg` or DATABASE_URL. */
  readonly url: string;
  readonly port: number;
  /** The postmaster's pid. */
  readonly pid: number;
  /** The cluster directory (see layout.ts). */
  readonly dir: string;
  readonly dataDir: string;
  readonly logFile: string;
  /** Fast shutdown (SIGINT), immediate (SIGQUIT) after the deadline, SIGKILL last; resolves once it has exited. Safe to call twice. */
  stop(): Promise<void>;
}

const FAST_SETTINGS: Readonly<Record<string, string>> = { fsync: 'off', synchronous_commit: 'off', full_page_writes: 'off' };

export async function startPostgres(opts: StartPostgresOptions = {}): Promise<PostgresServer> {
  const bin = opts.binDir ?? binDir();
  if (!hasBinaries(bin)) throw new Error(`no PostgreSQL server binaries in ${bin}. ${INSTALL_HINT}`);
  const account = serverAccount();
  const ownsDir = opts.dir === undefined;
  const dir = opts.dir !== undefined ? resolvePath(opts.dir) : await mkdtemp(join(tmpdir(), 'facestream-pg-'));
  try {
    const layout = clusterLayout(dir);
    await assertReachable(dir, account);
    await mkdir(layout.socketDir, { recursive: true });
    if (!existsSync(join(layout.dataDir, 'PG_VERSION'))) {
      await handOver(dir, account);
      await initdb(bin, layout, account);
    } else {
      await handOver(layout.socketDir, account); // the server makes its socket there
    }
    const port = opts.port ?? (await freePorts(1))[0]!;
    const server = new LocalPostgres({
      bin,
      layout,
      account,
      port,
      database: opts.database ?? 'postgres',
      supervision: supervision(opts, ownsDir ? dir : undefined),
      settings: { ...(opts.durable ? {} : FAST_SETTINGS), ...opts.settings },
      readyTimeoutMs: opts.readyTimeoutMs ?? 30_000,
      stopTimeoutMs: opts.stopTimeoutMs ?? 10_000,
    });
    await server.launch();
    return server;
  } catch (err) {
    if (ownsDir) await rm(dir, { recursive: true, force: true });
    throw err;
  }
}

/** True if `pid` is a postmaster serving the cluster in `dir` (guards against a recycled pid in a state file). */
export function isPostgresProcess(pid: number, dir: string): boolean {
  const argv = commandLine(pid);
  const dataDir = clusterLayout(resolvePath(dir)).dataDir;
  return isAlive(pid) && argv !== undefined && (argv[0] ?? '').endsWith('/postgres') && argv.includes(dataDir);
}

/** Stops a server by its postmaster's pid: fast shutdown, immediate after `graceMs`, SIGKILL 5 s later. */
export async function stopPostgresPid(pid: number, graceMs = 10_000): Promise<'fast' | 'immediate' | 'killed'> {
  return SHUTDOWN_MODES[await stopPid(pid, postgresShutdown(graceMs), 'postgres')]!;
}

// The postmaster's shutdown signals: SIGTERM = smart (waits for every client to leave), SIGINT = fast (disconnects
// clients, checkpoints, exits), SIGQUIT = immediate (backends quit at once, crash recovery on the next start). Fast,
// then immediate after `graceMs`, then (by ServiceProcess, stopPid and the watchdog) SIGKILL 5 s later. Backends
// leave by themselves when they see their postmaster die.
function postgresShutdown(graceMs: number): Shutdown {
  return [
    { signal: 'SIGINT', waitMs: graceMs },
    { signal: 'SIGQUIT', waitMs: 5_000 },
  ];
}
const SHUTDOWN_MODES = ['fast', 'immediate', 'killed'] as const;

function initdb(bin: string, layout: ClusterLayout, account: Account | undefined): Promise<void> {
  // Trust on loopback (pg_hba from -A), UTF-8 without a locale (C collation: same on every machine), no fsync.
  const args = ['-D', layout.dataDir, '-U', SUPERUSER, '-A', 'trust', '-E', 'UTF8', '--no-locale', '--no-sync'];
  return new Promise((resolve, reject) => {
    execFile(
      join(bin, 'initdb'),
      args,
      { cwd: layout.root, timeout: 120_000, uid: account?.uid, gid: account?.gid, env: { ...process.env, LC_ALL: 'C' } },
      (err, stdout, stderr) => {
        void writeFile(layout.initdbLog, `${stdout}${stderr}`).catch(() => undefined);
        if (!err) return resolve();
        reject(new Error(`initdb into ${layout.dataDir} failed: ${err.message}\n${stdout}${stderr}`));
      },
    );
  });
}

interface Settings {
  readonly bin: string;
  readonly layout: ClusterLayout;
  readonly account: Account | undefined;
  readonly port: number;
  readonly database: string;
  readonly supervision: Supervision;
  readonly settings: Readonly<Record<string, string>>;
  readonly readyTimeoutMs: number;
  readonly stopTimeoutMs: number;
}

class LocalPostgres implements PostgresServer {
  readonly url: string;
  readonly port: number;
  readonly dir: string;
  readonly dataDir: string;
  readonly logFile: string;

  private readonly s: Settings;
  private readonly proc: ServiceProcess;

  constructor(s: Settings) {
    this.s = s;
    this.url = connectionUrl(s.port, s.database);
    this.port = s.port;
    ({ root: this.dir, dataDir: this.dataDir, logFile: this.logFile } = s.layout);
    this.proc = new ServiceProcess({ name: 'postgres', shutdown: postgresShutdown(s.stopTimeoutMs), ...s.supervision });
  }

  /** The postmaster's. */
  get pid(): number {
    return this.proc.pid;
  }

  stop(): Promise<void> {
    return this.proc.stop();
  }

  /** Starts the postmaster and waits until it answers; creates the database if asked. */
  async launch(): Promise<void> {
    const { layout } = this.s;
    const args = ['-D', layout.dataDir, '-p', String(this.s.port), '-c', `listen_addresses=${HOST}`];
    args.push('-c', `unix_socket_directories=${layout.socketDir}`);
    for (const [name, value] of Object.entries(this.s.settings)) args.push('-c', `${name}=${value}`);
    const command = {
      file: join(this.s.bin, 'postgres'),
      args,
      cwd: layout.root,
      outFile: layout.logFile,
      uid: this.s.account?.uid,
      gid: this.s.account?.gid,
      env: { ...process.env, LC_ALL: 'C' },
    };
    await this.proc.start(command, async () => {
      await this.waitReady();
      if (this.s.database !== 'postgres') await this.createDatabase(this.s.database);
    });
  }

  private waitReady(): Promise<void> {
    const url = connectionUrl(this.s.port);
    const probe = async (): Promise<boolean> => {
      const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1_000 });
      client.on('error', () => undefined);
      try {
        await client.connect();
        await client.query('SELECT 1');
        return true;
      } catch {
        return false; // not up yet ("the database system is starting up", or refused)
      } finally {
        await client.end().catch(() => undefined);
      }
    };
    const failure = (what: string) => this.failure(what);
    return this.proc.waitReady({ subject: 'the server', timeoutMs: this.s.readyTimeoutMs, intervalMs: 100, probe, failure });
  }

  private async createDatabase(name: string): Promise<void> {
    const client = new pg.Client({ connectionString: connectionUrl(this.s.port) });
    await client.connect();
    try {
      const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
      // CREATE DATABASE takes no parameters: the name is quoted as an identifier by the server's quote_ident.
      if (found.rowCount === 0) {
        const { rows } = await client.query<{ q: string }>('SELECT quote_ident($1) AS q', [name]);
        await client.query(`CREATE DATABASE ${rows[0]!.q}`);
      }
    } finally {
      await client.end();
    }
  }

  private async failure(what: string): Promise<Error> {
    const { layout } = this.s;
    const head = `PostgreSQL on ${HOST}:${this.s.port}: ${what} (pid ${this.pid}, cluster ${layout.root}).`;
    return new Error(`${head}\n${await tailSection(layout.logFile, 30, 'no server log')}`);
  }
}
