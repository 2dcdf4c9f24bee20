// A local Kafka broker that outlives the command, for users and benchmarks:
//   node bin/run-ts.js infra/kafka/cli.ts up [--port N] [--controller-port N]   start (or show the running one)
//   node bin/run-ts.js infra/kafka/cli.ts status                                  exit 0 if running, 1 if not
//   node bin/run-ts.js infra/kafka/cli.ts down                                    stop it; data is kept
//   node bin/run-ts.js infra/kafka/cli.ts fetch                                   fetch the jars only (CI warm-up)
// `up` and `status` print KAFKA_BROKERS=127.0.0.1:<port> on stdout (eval-able); everything else goes to stderr.
// State lives in <repo>/.facestream/kafka (or --state-dir): state.json while running, ports.json (reused by the next
// `up` when still free), data/ (topics survive down/up).
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { isKafkaProcess, startKafka, stopKafkaPid } from './broker.ts';
import type { BrokerPorts } from './config.ts';
import { brokerLayout } from './config.ts';
import { ensureKafkaJars } from './jars.ts';
import { withDirLock } from './lock.ts';
import { freePorts, isPortFree } from './ports.ts';

interface State {
  readonly pid: number;
  readonly brokers: string[];
  readonly port: number;
  readonly controllerPort: number;
  readonly dataDir: string;
  readonly logFile: string;
  readonly startedAt: string;
}

const USAGE = 'usage: kafka <up|down|status|fetch> [--port N] [--controller-port N] [--state-dir DIR]';
const REPO = fileURLToPath(new URL('../../', import.meta.url));

function say(line: string): void {
  process.stderr.write(`kafka: ${line}\n`);
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
  process.stdout.write(`KAFKA_BROKERS=${s.brokers.join(',')}\n`);
  say(`pid ${s.pid}, data ${s.dataDir}, log ${s.logFile}`);
}

async function choosePorts(stateDir: string, asked: Partial<BrokerPorts>): Promise<BrokerPorts> {
  const last = await readJson<BrokerPorts>(join(stateDir, 'ports.json'));
  const spare = await freePorts(4);
  const taken = new Set<number>();
  const pick = async (key: keyof BrokerPorts): Promise<number> => {
    const want = asked[key] ?? last?.[key];
    if (want !== undefined && !taken.has(want) && (await isPortFree(want))) return take(want);
    if (asked[key] !== undefined) throw new Error(`port ${asked[key]} is in use`);
    const fresh = spare.find((p) => !taken.has(p) && p !== asked.port && p !== asked.controllerPort)!;
    if (want !== undefined) say(`port ${want} is taken now; using ${fresh}`);
    return take(fresh);
  };
  const take = (p: number): number => (taken.add(p), p);
  const port = await pick('port');
  return { port, controllerPort: await pick('controllerPort') };
}

async function running(stateDir: string): Promise<State | undefined> {
  const s = await readJson<State>(join(stateDir, 'state.json'));
  return s && isKafkaProcess(s.pid, s.dataDir) ? s : undefined;
}

async function up(stateDir: string, asked: Partial<BrokerPorts>): Promise<number> {
  await mkdir(stateDir, { recursive: true });
  const state = await withDirLock(join(stateDir, 'cli.lock'), async () => {
    const existing = await running(stateDir);
    if (existing) {
      say('already running');
      return existing;
    }
    const ports = await choosePorts(stateDir, asked);
    const dataDir = join(stateDir, 'data');
    say(`starting on 127.0.0.1:${ports.port}…`);
    const broker = await startKafka({ ...ports, dataDir, detached: true });
    const s: State = {
      pid: broker.pid,
      brokers: broker.brokers,
      port: broker.port,
      controllerPort: broker.controllerPort,
      dataDir,
      logFile: broker.logFile,
      startedAt: new Date().toISOString(),
    };
    await writeJson(join(stateDir, 'ports.json'), ports);
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
    await stopKafkaPid(s.pid, 30_000);
    say(`stopped pid ${s.pid} in ${((Date.now() - started) / 1000).toFixed(1)} s; data kept in ${s.dataDir}`);
    return 0;
  });
}

async function status(stateDir: string): Promise<number> {
  const s = await running(stateDir);
  if (s) {
    printRunning(s);
    return 0;
  }
  say(`not running (log of the last run: ${brokerLayout(join(stateDir, 'data')).logFile})`);
  return 1;
}

function portArg(v: string | undefined, name: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 65_535) throw new Error(`--${name} must be a port number, not ${JSON.stringify(v)}`);
  return n;
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      port: { type: 'string' },
      'controller-port': { type: 'string' },
      'state-dir': { type: 'string' },
    },
  });
  const stateDir = resolve(values['state-dir'] ?? join(REPO, '.facestream', 'kafka'));
  const asked = { port: portArg(values.port, 'port'), controllerPort: portArg(values['controller-port'], 'controller-port') };
  switch (positionals[0]) {
    case 'up':
      return up(stateDir, asked);
    case 'down':
      return down(stateDir);
    case 'status':
      return status(stateDir);
    case 'fetch':
      say(`jars in ${await ensureKafkaJars()}`);
      return 0;
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
