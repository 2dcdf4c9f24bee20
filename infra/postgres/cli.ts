// A local PostgreSQL server that outlives the command, for users and benchmarks:
//   node bin/run-ts.js infra/postgres/cli.ts up [--port N]    start (or show the running one)
//   node bin/run-ts.js infra/postgres/cli.ts status           exit 0 if running, 1 if not
//   node bin/run-ts.js infra/postgres/cli.ts down             stop it (fast shutdown); data is kept
//   node bin/run-ts.js infra/postgres/cli.ts install          install Debian's postgresql if missing (install.sh)
// `up` and `status` print DATABASE_URL=postgres://postgres@127.0.0.1:<port>/facestream on stdout (eval-able);
// everything else goes to stderr. State lives in <repo>/.facestream/postgres (or --state-dir): state.json while
// running, port.json (reused by the next `up` when still free), cluster/ (a durable cluster: databases survive
// down/up).
import { execFile } from 'node:child_process';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import { withDirLock } from '../kafka/lock.ts';
import { freePorts, isPortFree } from '../kafka/ports.ts';
import { isPostgresProcess, startPostgres, stopPostgresPid } from './server.ts';
import { clusterLayout } from './layout.ts';

interface State {
  readonly pid: number;
  readonly url: string;
  readonly port: number;
  readonly dir: string;
  readonly logFile: string;
  readonly startedAt: string;
}

const USAGE = 'usage: postgres <up|down|status|install> [--port N] [--state-dir DIR]';
const REPO = fileURLToPath(new URL('../../', import.meta.url));
const DATABASE = 'facestream';

function say(line: string): void {
  process.stderr.write(`postgres: ${line}\n`);
}

async function readJson<T>(file: string): Promise<T | undefined> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

async function writeJson(file: string, value: unknown): Promise<void> {
  await writeFile(`${file}.tmp`, `${JSON.stringify(value, null, 2)}\n`);
  await rename(`${file}.tmp`, file);
}

function printRunning(s: State): void {
  process.stdout.write(`DATABASE_URL=${s.url}\n`);
  say(`pid ${s.pid}, cluster ${s.dir}, log ${s.logFile}`);
}

async function choosePort(stateDir: string, asked: number | undefined): Promise<number> {
  const last = (await readJson<{ port: number }>(join(stateDir, 'port.json')))?.port;
  const want = asked ?? last;
  if (want !== undefined && (await isPortFree(want))) return want;
  if (asked !== undefined) throw new Error(`port ${asked} is in use`);
  const [fresh] = await freePorts(1);
  if (want !== undefined) say(`port ${want} is taken now; using ${fresh}`);
  return fresh!;
}

async function running(stateDir: string): Promise<State | undefined> {
  const s = await readJson<State>(join(stateDir, 'state.json'));
  return s && isPostgresProcess(s.pid, s.dir) ? s : undefined;
}

async function up(stateDir: string, asked: number | undefined): Promise<number> {
  await mkdir(stateDir, { recursive: true });
  const state = await withDirLock(join(stateDir, 'cli.lock'), async () => {
    const existing = await running(stateDir);
    if (existing) {
      say('already running');
      return existing;
    }
    const port = await choosePort(stateDir, asked);
    say(`starting on 127.0.0.1:${port}…`);
    const dir = join(stateDir, 'cluster');
    const server = await startPostgres({ dir, port, database: DATABASE, detached: true, durable: true });
    const s: State = { pid: server.pid, url: server.url, port, dir, logFile: server.logFile, startedAt: new Date().toISOString() };
    await writeJson(join(stateDir, 'port.json'), { port });
    await writeJson(join(stateDir, 'state.json'), s);
    return s;
  });
  printRunning(state);
  return 0;
}

async function down(stateDir: string): Promise<number> {
  await mkdir(stateDir, { recursive: true });
  return withDirLock(join(stateDir, 'cli.lock'), async () => {
    const s = await running(stateDir);
    await rm(join(stateDir, 'state.json'), { force: true });
    if (!s) {
      say('not running');
      return 0;
    }
    const started = Date.now();
    const how = await stopPostgresPid(s.pid, 30_000);
    say(`stopped pid ${s.pid} (${how} shutdown) in ${((Date.now() - started) / 1000).toFixed(1)} s; data kept in ${s.dir}`);
    return 0;
  });
}

async function status(stateDir: string): Promise<number> {
  const s = await running(stateDir);
  if (s) {
    printRunning(s);
    return 0;
  }
  say(`not running (log of the last run: ${clusterLayout(join(stateDir, 'cluster')).logFile})`);
  return 1;
}

async function install(): Promise<number> {
  const { stdout, stderr } = await promisify(execFile)('bash', [join(REPO, 'infra', 'postgres', 'install.sh')], { timeout: 600_000 });
  process.stderr.write(stderr + stdout);
  return 0;
}

function portArg(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 65_535) throw new Error(`--port must be a port number, not ${JSON.stringify(v)}`);
  return n;
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { port: { type: 'string' }, 'state-dir': { type: 'string' } },
  });
  const stateDir = resolve(values['state-dir'] ?? join(REPO, '.facestream', 'postgres'));
  switch (positionals[0]) {
    case 'up':
      return up(stateDir, portArg(values.port));
    case 'down':
      return down(stateDir);
    case 'status':
      return status(stateDir);
    case 'install':
      return install();
    default:
      process.stderr.write(`${USAGE}\n`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    say(err instanceof Error ? err.message : String(err));
    process.exitCode = 1;
  },
);
