// `facestream up`: a whole Kafka topology on one box, every process of it a supervised child
// (`facestream stage <process> …`), restarted when it fails, stopped in order on Ctrl-C. The steps read top to bottom
// (STYLE.md §3): validate → schema registry → children → wait → stop children → stop registry.
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel } from 'kafkajs';
import { pino, type Logger } from 'pino';
import { loadConfig } from '../config/load.ts';
import { STAGES, type StageName } from '../pipelines/registry.ts';
import { kafkaNames } from '../pipelines/runtime/kafka/names.ts';
import { codecsFor, wireOptionsOf } from '../pipelines/runtime/kafka/wire.ts';
import { startSchemaRegistry } from '../schemas/registry/server.ts';
import { terminalStages } from '../topologies/plan.ts';
import { TOPOLOGIES } from '../topologies/registry.ts';
import type { TopologySpec } from '../topologies/topology.ts';
import { defaultOutput, Supervisor, type ChildLine, type SupervisorOptions } from './supervisor.ts';
import { planChildren, type PlannedChild, type SourceArg } from './up-plan.ts';
import { UserError } from './user-error.ts';

/** Longest the cameras wait for the consuming processes to join their groups. */
const SOURCES_HOLD_MS = 120_000;

export interface UpOptions {
  /** a name in topologies/registry.ts with at least one Kafka edge: distributed, edge */
  readonly topology: string;
  readonly sources: readonly SourceArg[];
  /** instances per process name, e.g. { embed: 2 } (default 1 each) */
  readonly instances?: Readonly<Record<string, number>>;
  readonly watchlist?: string;
  readonly config?: string;
  /** stop every child and return 0 once every source camera has gone through the last stage */
  readonly untilDone?: boolean;
  /** pino level of up's own log (stderr); default info */
  readonly logLevel?: string;
  /** SIGINT/SIGTERM stop the children (a second one kills them); default true */
  readonly handleSignals?: boolean;
  /** default process.env; children get it plus KAFKA_BROKERS and SCHEMA_REGISTRY_URL */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** where .facestream/registry is kept and relative paths start; default process.cwd() */
  readonly cwd?: string;
  /** the script children run as `node <entry> stage …`; default bin/facestream.js (tests pass a fake) */
  readonly entry?: string;
  /** human status lines (registry URL, children started); default stderr */
  readonly print?: (line: string) => void;
  /** the children's output lines; default `[name] line` on stdout / stderr */
  readonly output?: (line: ChildLine) => void;
  readonly restartBackoff?: SupervisorOptions['restartBackoff'];
  readonly stopTimeoutMs?: number;
}

const ENTRY = fileURLToPath(new URL('../bin/facestream.js', import.meta.url));
const END_OF_STREAM = 'end of stream';

type Outcome = 'stopped' | 'until-done' | 'all-exited' | 'killed';

/** Runs until stopped (signal, `signal` aborted, --until-done, or every child finished); resolves to the exit code. */
export async function up(options: UpOptions, signal?: AbortSignal): Promise<number> {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const print = options.print ?? ((line: string) => console.error(`facestream: ${line}`));
  const logger = pino({ name: 'up', level: options.logLevel ?? 'info' }, pino.destination({ dest: 2, sync: true })); // in order with print()

  // 1. everything a person can get wrong, before a port is opened or a process started
  const topology = topologyOf(options.topology);
  const brokers = env['KAFKA_BROKERS']?.trim();
  if (!brokers) throw new UserError('KAFKA_BROKERS is not set; start a local broker with `npm run kafka:up`');
  const children = planChildren({
    topology,
    sources: options.sources,
    ...(options.instances ? { instances: options.instances } : {}),
    ...(options.watchlist !== undefined ? { watchlist: resolve(cwd, options.watchlist) } : {}),
    ...(options.config !== undefined ? { config: resolve(cwd, options.config) } : {}),
    execPath: process.execPath,
    startTimeS: Date.now() / 1000,
    entry: options.entry ?? ENTRY,
  });
  const lastStages = terminalStages(topology);
  if (options.untilDone && options.sources.length === 0) throw new UserError('--until-done needs --source cameras: the cameras of ingest workers never end');
  if (options.untilDone && !children.some((c) => c.runsLastStage)) {
    throw new UserError(`topology ${topology.name}: --until-done needs a process that runs ${lastStages.join(' or ') || 'the episodes stage'}`);
  }

  // 2. the schema registry: the one SCHEMA_REGISTRY_URL names, or our own (stages register their schemas there)
  const registry = await schemaRegistry(env, cwd, logger, print);
  const workers = children.filter((c) => c.camera === undefined && topology.processes.some((p) => p.name === c.process && p.stages.includes('ingest')));
  if (workers.length > 0) {
    print(`no --source: ${workers.length} ingest worker(s) run the cameras of the API (facestream serve with KAFKA_BROKERS=${brokers} SCHEMA_REGISTRY_URL=${registry.url})`);
  }

  // 3. the children, supervised
  let finish: (reason: Outcome) => void = () => undefined;
  let stopping = false;
  const finished = new Promise<Outcome>((resolveReason) => (finish = resolveReason)); // the first reason wins
  void finished.then(() => (stopping = true));
  const cameras = options.sources.map((s) => s.camera);
  const ended = new Set<string>();
  const lastStagesOf = new Map(children.filter((c) => c.runsLastStage).map((c) => [c.name, c.lastStages]));
  /** camera → stage → end-of-stream lines seen; a camera is through once every last stage logged all it will */
  const endLines = new Map<string, Map<string, number>>();
  const needed = endOfStreamLinesNeeded(options.config !== undefined ? resolve(cwd, options.config) : undefined, env, brokers, logger);
  const output = options.output ?? defaultOutput;
  const cameraDone = (camera: string) => {
    if (ended.has(camera)) return;
    ended.add(camera);
    if (!options.untilDone) return;
    print(`camera ${camera} has gone through every stage (${ended.size}/${cameras.length})`);
    if (cameras.every((c) => ended.has(c))) finish('until-done');
  };
  // The cameras start once every consuming process has joined its group: frames handed on before that wait in
  // Kafka, a start-up backlog (model loading, ten processes on two cores: tens of seconds) that every camera then
  // carries until the stages catch up. A process that has not joined after SOURCES_HOLD_MS holds them no longer.
  const consumers = children.filter((c) => c.camera === undefined);
  const joined = new Set<string>();
  let sourcesAdded = false;
  const addSources = () => {
    if (sourcesAdded || stopping) return;
    sourcesAdded = true;
    for (const child of children.filter((c) => c.camera !== undefined)) supervisor.add({ name: child.name, command: child.command, args: child.args, env: childEnv, cwd });
  };
  const supervisor = new Supervisor({
    logger: logger.child({ component: 'supervisor' }),
    restartBackoff: options.restartBackoff ?? { initialMs: 500, maxMs: 10_000 },
    stopTimeoutMs: options.stopTimeoutMs ?? 15_000,
    output: (line) => {
      output(line);
      if (!sourcesAdded && line.line.includes('"msg":"partitions assigned"')) {
        joined.add(line.name);
        if (consumers.every((c) => joined.has(c.name))) addSources();
      }
      const stagesHere = lastStagesOf.get(line.name);
      const end = stagesHere ? endOfStreamOf(line.line) : undefined;
      if (!stagesHere || end === undefined || ended.has(end.camera)) return;
      // a line without its stage comes from a child running one last stage
      const stage = end.stage ?? (stagesHere.length === 1 ? stagesHere[0] : undefined);
      if (stage === undefined || !(stagesHere as readonly string[]).includes(stage)) return;
      const lines = endLines.get(end.camera) ?? new Map<string, number>();
      endLines.set(end.camera, lines.set(stage, (lines.get(stage) ?? 0) + 1));
      void Promise.all(lastStages.map(async (s) => (lines.get(s) ?? 0) >= (await needed(s)))).then(
        (through) => through.every(Boolean) && cameraDone(end.camera),
        (err: unknown) => logger.warn({ err: (err as Error).message }, 'cannot tell whether a camera has gone through'),
      );
    },
  });
  supervisor.on('spawn', (s) => {
    if (s.restarts === 0) print(`started ${s.name} (pid ${s.pid})`);
  });
  supervisor.once('done', () => finish('all-exited'));
  const childEnv = { ...env, KAFKA_BROKERS: brokers, SCHEMA_REGISTRY_URL: registry.url };
  for (const child of consumers) supervisor.add({ name: child.name, command: child.command, args: child.args, env: childEnv, cwd });

  // 4. what stops it: a signal (twice: kill), the caller's AbortSignal, --until-done, or every child finished
  let killed = false;
  let signals = 0;
  const onSignal = (sig: NodeJS.Signals) => {
    signals += 1;
    if (signals === 1) {
      print(`${sig}: stopping every child gracefully (signal again to kill them at once)`);
      finish('stopped');
    } else {
      print(`${sig} again: killing every child`);
      killed = true;
      void supervisor.kill();
    }
  };
  const onAbort = () => finish('stopped');
  // Linux children die with this process whatever kills it (supervisor.ts); elsewhere this is the last resort
  const killOnExit = () => void supervisor.kill();
  if (options.handleSignals ?? true) {
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  }
  signal?.addEventListener('abort', onAbort, { once: true });
  if (signal?.aborted) onAbort();
  process.once('exit', killOnExit);

  print(`${summary(topology, children)}; KAFKA_BROKERS=${brokers}`);
  supervisor.start();
  const holdSources = setTimeout(addSources, SOURCES_HOLD_MS);
  if (consumers.length === 0) addSources();

  try {
    const reason = await finished;
    // 5. stop in reverse order: children (they drain and commit), then the registry they used
    if (reason === 'until-done') print(`every camera has gone through every stage (${cameras.join(', ')}); stopping`);
    await supervisor.stop();
    if (killed) return 130;
    if (reason === 'all-exited' && options.untilDone && !cameras.every((c) => ended.has(c))) {
      print(`every child exited before ${cameras.filter((c) => !ended.has(c)).join(', ')} reached the end`);
      return 1;
    }
    print(reason === 'all-exited' ? 'every child has finished' : 'stopped');
    return 0;
  } finally {
    clearTimeout(holdSources);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    signal?.removeEventListener('abort', onAbort);
    process.off('exit', killOnExit);
    await registry.close();
  }
}

/**
 * How many "end of stream" lines of a last stage make a camera done: one where the stage's input is keyed by
 * camera (the marker travels in the camera's partition), one per partition where it is keyed by scope (episodes:
 * the marker goes to every partition). The partitions are the topic's own (asked once, when first needed: the
 * topic exists by then), else the configured count.
 */
function endOfStreamLinesNeeded(
  configFile: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
  brokers: string,
  logger: Logger,
): (stage: StageName) => Promise<number> {
  const cache = new Map<StageName, Promise<number>>();
  const count = async (stage: StageName): Promise<number> => {
    const input = STAGES[stage].input;
    if (input === null) return 1;
    const config = await loadConfig(configFile, {}, env as NodeJS.ProcessEnv);
    if (codecsFor(wireOptionsOf(config.kafka))(input, false).keyedBy === 'camera') return 1;
    const topic = kafkaNames(config.kafka.topic_prefix).topic(input);
    const admin = new Kafka({ clientId: 'facestream-up', brokers: brokers.split(',').map((b) => b.trim()), connectionTimeout: 2000, retry: { retries: 2 }, logLevel: logLevel.NOTHING }).admin();
    try {
      await admin.connect();
      const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
      return topics[0]?.partitions.length ?? config.kafka.topics[input].partitions;
    } catch (err) {
      logger.warn({ topic, err: (err as Error).message }, 'cannot read the partitions of the topic; assuming the configured count');
      return config.kafka.topics[input].partitions;
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  };
  return (stage) => {
    let n = cache.get(stage);
    if (!n) cache.set(stage, (n = count(stage)));
    return n;
  };
}

function topologyOf(name: string): TopologySpec {
  const topology = TOPOLOGIES[name];
  if (!topology) throw new UserError(`--topology ${name}: no such topology (there are ${Object.keys(TOPOLOGIES).join(', ')})`);
  if (Object.values(topology.edges).every((t) => t === 'inproc')) {
    throw new UserError(`--topology ${name}: runs in one process with no Kafka; use \`facestream analyze\` for it`);
  }
  return topology;
}

async function schemaRegistry(
  env: Readonly<Record<string, string | undefined>>,
  cwd: string,
  logger: Logger,
  print: (line: string) => void,
): Promise<{ url: string; close(): Promise<void> }> {
  const given = env['SCHEMA_REGISTRY_URL']?.trim();
  if (given) {
    print(`schema registry ${given} (SCHEMA_REGISTRY_URL)`);
    return { url: given, close: async () => undefined };
  }
  const dataDir = resolve(cwd, '.facestream', 'registry');
  const served = await startSchemaRegistry({ host: '127.0.0.1', port: 0, dataDir, logger: logger.child({ component: 'schema-registry' }, { level: 'warn' }) });
  print(`schema registry ${served.url} (served by this process, kept in ${dataDir}; set SCHEMA_REGISTRY_URL to use another)`);
  return served;
}

/** The camera of a pino line `{"msg":"end of stream","camera":"…"}`, else undefined. */
export function endOfStreamCamera(line: string): string | undefined {
  return endOfStreamOf(line)?.camera;
}

/** The camera, and the stage when the line names it, of a pino line `{"msg":"end of stream","camera":"…","stage":"…"}`. */
export function endOfStreamOf(line: string): { readonly camera: string; readonly stage?: string } | undefined {
  if (!line.startsWith('{') || !line.includes(END_OF_STREAM)) return undefined;
  try {
    const parsed: unknown = JSON.parse(line);
    if (typeof parsed !== 'object' || parsed === null) return undefined;
    const { msg, camera, stage } = parsed as { msg?: unknown; camera?: unknown; stage?: unknown };
    if (msg !== END_OF_STREAM || typeof camera !== 'string') return undefined;
    return typeof stage === 'string' ? { camera, stage } : { camera };
  } catch {
    return undefined;
  }
}

function summary(topology: TopologySpec, children: readonly PlannedChild[]): string {
  return `topology ${topology.name}: ${children.length} processes (${children.map((c) => c.name).join(', ')})`;
}
