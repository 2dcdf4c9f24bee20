// The child processes of the Kafka bench (bench/kafka.ts), each alone in its process so that its CPU time and
// peak memory are its own:
//   enrol  the bench's watch list → enrolled vectors (JSON), so stage processes need no face models
//   stage  ONE KafkaStageRunner (track, match or episodes) over a pre-filled input topic, timed from the moment
//          its consumer group is joined until the group's committed offsets reach the end of the input; then an
//          in-process profile of where a record's time goes (Avro, pixels, the stage, encoding)
//
//   node bin/run-ts.js bench/kafka-child.ts '<task json>' <result file>
//
// Environment, for looking closer (none is set by `npm run bench`):
//   BENCH_DEBUG=1              progress of the stage on stderr every 5 s
//   BENCH_CPU_PROFILE=<dir>    a V8 CPU profile of the measured window (summarise: bench/kafka-cpu-profile.ts)
//   BENCH_FETCH_BYTES=<n>      kafka.fetch_max_bytes_per_partition of the stage
//   BENCH_MAX_BATCH_RECORDS=<n>  kafka.max_batch_records of the stage (most input records one commit covers)
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { KafkaMessage } from 'kafkajs';
import { pino } from 'pino';
import type { Registry as PromRegistry } from 'prom-client';
import type { FacestreamConfig } from '../config/schema.ts';
import type { ImageFormat } from '../pipelines/runtime/kafka/image-codec.ts';
import type { Topic } from '../topologies/names.ts';
import { STATE_RECORD_LIMIT } from './kafka-topics.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

export type BenchStage = 'track' | 'match' | 'episodes';

/** What each measured stage reads and writes (topologies/distributed.ts). */
export const STAGE_TOPICS: Record<BenchStage, { readonly input: Topic; readonly output: Topic }> = {
  track: { input: 'detections', output: 'faces' },
  match: { input: 'embeddings', output: 'matches' },
  episodes: { input: 'matches', output: 'episodes' },
};

export interface EnrolTask {
  readonly kind: 'enrol';
  readonly dir: string;
}

export interface EnrolledVector {
  readonly id: string;
  readonly dossier: string;
  readonly watchList: string;
  readonly vector: number[];
}

export interface EnrolResult {
  readonly faces: readonly EnrolledVector[];
  readonly rejected: readonly string[];
}

export interface StageTask {
  readonly kind: 'stage';
  readonly brokers: readonly string[];
  readonly registryUrl: string;
  /** the broker JVM, whose CPU time over the window is reported beside the stage's */
  readonly brokerPid: number;
  readonly stage: BenchStage;
  /** what sets this run apart from the stage's main runs, e.g. an empty watch list (the runner alone); shown beside the stage */
  readonly variant?: string;
  /** the input topic on the broker (pre-filled by the parent; several runs read the same one) */
  readonly inputTopic: string;
  /** prefix of this run's group, output, state and dead-letter topics */
  readonly runPrefix: string;
  readonly exactlyOnce: boolean;
  readonly imageFormat: ImageFormat;
  /** JSON of EnrolResult: the watch list of the match stage */
  readonly watchlistFile?: string;
  /** data records in the input (what records/s counts) */
  readonly dataRecords: number;
  /** data + end-of-stream markers: what the consumer group must get through */
  readonly totalRecords: number;
  /**
   * the input was written in transactions (an exactly-once stage's output): each partition then ends with a
   * transaction marker, which takes an offset but is never delivered, so the group's committed offset stops one short
   */
  readonly inputTransactional: boolean;
  /** records of the input profiled in process after the run (0: none) */
  readonly profileRecords: number;
  /** write a V8 CPU profile of the measured window here (as BENCH_CPU_PROFILE) */
  readonly cpuProfileDir?: string;
}

/** Microseconds per input record spent in each step, measured in process (no Kafka) on the first records of the input. */
export interface StageProfile {
  readonly records: number;
  /** Confluent framing + Avro decode (serde.decode) */
  readonly avroDecodeUs: number;
  /** Avro record → in-process record (codec.fromWire: pixels decoded from JPEG/PNG, arrays → typed arrays) */
  readonly fromWireUs: number;
  /** stage.process() */
  readonly processUs: number;
  /** outputs → Avro (codec.toWire: pixels encoded) + serde.encodeKey/encodeValue, per input record */
  readonly encodeUs: number;
  /** the stage's state serialised as the runner does after each chunk (stateful stages) */
  readonly stateUs: number;
  /** input records per chunk (= per commit): the mean of the Kafka run */
  readonly chunk: number;
  /** state bytes written per commit (mean) and the largest state record */
  readonly stateBytesPerCommit: number;
  readonly stateRecordMaxBytes: number;
  readonly outputsPerRecord: number;
  /** mean bytes of an input value and an output value */
  readonly inputBytes: number;
  readonly outputBytes: number;
}

export interface StageRunResult {
  readonly stage: BenchStage;
  /** what sets this run apart from the stage's main runs, e.g. an empty watch list (the runner alone); shown beside the stage */
  readonly variant?: string;
  readonly exactlyOnce: boolean;
  readonly records: number;
  readonly totalRecords: number;
  readonly outputs: number;
  /** from the group join until the committed offsets reached the end of the input */
  readonly seconds: number;
  readonly recordsPerS: number;
  /** from run() to the group join (connect, join, state restore) */
  readonly startS: number;
  /** CPU of this process over the window, in cores */
  readonly stageCores: number;
  /** CPU of the broker JVM over the window, in cores */
  readonly brokerCores: number;
  /** CPU the rest of the machine used over the window (/proc/stat busy less this process and the broker), cores */
  readonly otherCores: number;
  readonly loadAverage: number;
  readonly peakRssMb: number;
  /** from the runner's own metrics over the run: seconds in stage.process() and in commits (produce + offsets/transaction) */
  readonly processS: number;
  readonly commitS: number;
  readonly transactions: number;
  /** kafka.fetch_max_bytes_per_partition of the run */
  readonly fetchBytesPerPartition: number;
  /** kafka.max_batch_records of the run */
  readonly maxBatchRecords: number;
  readonly profile: StageProfile | null;
}

// ---------------------------------------------------------------------------------------------------------------
// CPU accounting from /proc (Linux): the stage, the broker and the rest of the machine are told apart

function machineBusyS(): number {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  return fields.reduce((sum, v, i) => (i === 3 || i === 4 || i > 7 ? sum : sum + v), 0) / 100;
}

function processCpuS(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime are fields 14 and 15 of the whole line, 12 and 13 after "pid (comm) "
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

/**
 * Peak resident set size of this process, MiB, from /proc/self/status (VmHWM belongs to the address space made at
 * exec). Not getrusage's maxRSS: Linux carries that across fork and exec, so a child of a large parent starts
 * with the parent's figure.
 */
function peakRssMb(): number {
  const kb = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
  return kb ? Math.round(Number(kb) / 1024) : Math.round(process.resourceUsage().maxRSS / 1024);
}

async function metricSum(registry: PromRegistry, name: string, suffix = ''): Promise<number> {
  const metric = registry.getSingleMetric(name);
  if (!metric) return 0;
  const { values } = await metric.get();
  return values.filter((v) => (suffix ? (v as { metricName?: string }).metricName === `${name}${suffix}` : true)).reduce((s, v) => s + v.value, 0);
}

// ---------------------------------------------------------------------------------------------------------------

async function enrol(task: EnrolTask): Promise<EnrolResult> {
  const { createRunContext } = await import('../cli/context.ts');
  const rejected: string[] = [];
  const run = await createRunContext({ overrides: { runtime: { model_workers: 0 } }, watchlistDir: task.dir, onRejected: (m) => rejected.push(m) });
  try {
    const faces = (run.watchlist?.faces ?? []).map((f) => ({ id: f.photo, dossier: f.dossier, watchList: f.watchList, vector: Array.from(f.vector) }));
    return { faces, rejected };
  } finally {
    await run.models.close();
  }
}

async function runStage(task: StageTask): Promise<StageRunResult> {
  const { loadConfig } = await import('../config/load.ts');
  const { createKafkaClient } = await import('../cli/kafka-client.ts');
  const { createTopicSerde } = await import('../schemas/serde/topic-serde.ts');
  const { STAGES } = await import('../pipelines/registry.ts');
  const { createExactFaceIndex, watchListFromFaces } = await import('../pipelines/match/index.ts');
  const { KafkaStageRunner } = await import('../pipelines/runtime/kafka/stage-runner.ts');
  const { DEAD_LETTER_TOPIC, kafkaNames } = await import('../pipelines/runtime/kafka/names.ts');
  const { dataTopicConfig, ensureTopics, stateTopicConfig } = await import('../pipelines/runtime/kafka/topics.ts');
  const { codecsFor, wireOptionsOf } = await import('../pipelines/runtime/kafka/wire.ts');
  const { systemClock } = await import('../pipelines/runtime/stage.ts');
  const { Registry } = await import('prom-client');

  // joins are seen in the runner's own log line; warnings go on to stderr
  let joinedAt: number | undefined;
  const logger = pino(
    { level: 'info', base: { stage: task.stage } },
    {
      write(line: string) {
        if (joinedAt === undefined && line.includes('"partitions assigned"')) joinedAt = performance.now();
        if (/"level":(4|5|6)\d/.test(line)) process.stderr.write(line);
      },
    },
  );
  const config: Readonly<FacestreamConfig> = await loadConfig(
    undefined,
    {
      kafka: {
        brokers: [...task.brokers],
        schema_registry_url: task.registryUrl,
        topic_prefix: task.runPrefix,
        exactly_once: task.exactlyOnce,
        image_format: task.imageFormat,
        ...(process.env['BENCH_MAX_BATCH_RECORDS'] ? { max_batch_records: Number(process.env['BENCH_MAX_BATCH_RECORDS']) } : {}),
        ...(process.env['BENCH_FETCH_BYTES'] ? { fetch_max_bytes_per_partition: Number(process.env['BENCH_FETCH_BYTES']) } : {}),
      },
    },
    {},
  );
  const topics = STAGE_TOPICS[task.stage];
  const prefixed = kafkaNames(task.runPrefix);
  // the run's own group, output and state; the input is the shared pre-filled topic
  const names = { ...prefixed, topic: (t: Parameters<typeof prefixed.topic>[0]) => (t === topics.input ? task.inputTopic : prefixed.topic(t)) };
  const serde = createTopicSerde({ registryUrl: task.registryUrl, topicPrefix: task.runPrefix, logger });
  await serde.registerAll();
  const enrolled = task.watchlistFile ? (JSON.parse(readFileSync(task.watchlistFile, 'utf8')) as EnrolResult).faces : [];
  const index = createExactFaceIndex(watchListFromFaces(enrolled.map((f) => ({ ...f, vector: Float32Array.from(f.vector) }))));
  const build = () => STAGES[task.stage].build({ config, index }) as unknown as import('../pipelines/runtime/stage.ts').Stage<unknown, unknown>;
  const stage = build();
  const kafka = createKafkaClient({ brokers: task.brokers, clientId: `bench-${task.stage}`, logger });
  const admin = kafka.admin();
  await admin.connect();
  await ensureTopics(admin, [
    dataTopicConfig(config.kafka, names, topics.output),
    dataTopicConfig(config.kafka, names, DEAD_LETTER_TOPIC),
    // a larger record limit than the broker's default 1 MiB (kafka-topics.ts, STATE_RECORD_LIMIT)
    ...(stage.state ? [{ ...stateTopicConfig(names, stage.name), configEntries: [...(stateTopicConfig(names, stage.name).configEntries ?? []), { name: 'max.message.bytes', value: String(STATE_RECORD_LIMIT) }] }] : []),
  ]);
  // as topologies/build-kafka.ts: a stage that never reads pixels gets its input's images passed through undecoded
  const byTopic = codecsFor(wireOptionsOf(config.kafka));
  const readsPixels = STAGES[task.stage].readsPixels;
  const codecOf = (t: Topic) => byTopic(t, t !== topics.input || readsPixels);
  const registry = new Registry();
  const runner = new KafkaStageRunner({
    kafka,
    config: config.kafka,
    names,
    serde,
    stage,
    input: { topic: topics.input, codec: codecOf(topics.input) },
    output: { topic: topics.output, codec: codecOf(topics.output) },
    instance: '0',
    logger,
    registry,
    clock: systemClock,
  });

  // the input is complete before the stage starts: its end offsets are where the group must get to
  const ends = new Map((await endOffsets(admin, task.inputTopic)).map((p) => [p.partition, BigInt(p.high)]));
  const started = performance.now();
  const running = runner.run();
  let failure: unknown;
  running.catch((err: unknown) => (failure = err));
  // the window opens at the join; CPU counters are read as close to it as the 5 ms poll allows
  while (joinedAt === undefined) {
    if (failure) throw failure;
    await sleep(5);
  }
  const t0 = joinedAt;
  const profiler = await startCpuProfile(task.cpuProfileDir ?? process.env['BENCH_CPU_PROFILE']);
  const cpu0 = process.cpuUsage();
  const broker0 = processCpuS(task.brokerPid);
  const busy0 = machineBusyS();
  const group = names.group(stage.name);
  // every record handled (the runner's own counter), then every offset committed
  let shown = performance.now();
  for (let n = 0; (n = await metricSum(registry, 'facestream_stage_records_in_total')) < task.totalRecords; ) {
    if (failure) throw failure;
    if (process.env['BENCH_DEBUG'] && performance.now() - shown > 5000) {
      shown = performance.now();
      process.stderr.write(`${task.stage}: ${n}/${task.totalRecords} records in, ${await metricSum(registry, 'facestream_commit_seconds', '_count')} commits\n`);
    }
    await sleep(10);
  }
  for (;;) {
    if (failure) throw failure;
    const [committed] = await admin.fetchOffsets({ groupId: group, topics: [task.inputTopic] });
    const slack = task.inputTransactional ? 1n : 0n;
    const end = (p: number) => ends.get(p) ?? 0n;
    if ((committed?.partitions ?? []).every((p) => end(p.partition) === 0n || BigInt(p.offset) + slack >= end(p.partition))) break;
    if (process.env['BENCH_DEBUG'] && performance.now() - shown > 5000) {
      shown = performance.now();
      process.stderr.write(`${task.stage}: committed ${JSON.stringify(committed?.partitions)}, ends ${[...ends].join(' ')}\n`);
    }
    await sleep(10);
  }
  const t1 = performance.now();
  const cpu = process.cpuUsage(cpu0);
  await profiler?.stop(`${task.stage}-${task.exactlyOnce ? 'eos' : 'alo'}`);
  const brokerS = processCpuS(task.brokerPid) - broker0;
  const busyS = machineBusyS() - busy0;
  const peak = peakRssMb();
  const seconds = (t1 - t0) / 1000;
  const stageCpuS = (cpu.user + cpu.system) / 1e6;
  const outputs = await metricSum(registry, 'facestream_stage_records_out_total');
  const processS = await metricSum(registry, 'facestream_stage_process_seconds', '_sum');
  const commitS = await metricSum(registry, 'facestream_commit_seconds', '_sum');
  const transactions = await metricSum(registry, 'facestream_commit_seconds', '_count');
  await runner.stop();
  await running.catch(() => undefined);

  // profiled in chunks of the size the run's transactions had (a batch per partition fetch, ≤ max_batch_records)
  const chunk = Math.max(1, Math.min(config.kafka.max_batch_records, Math.round(task.totalRecords / Math.max(1, transactions))));
  const profile = task.profileRecords > 0 ? await profileStage(task, kafka, serde, build, codecOf, names.stateTopic(stage.name), chunk, ends.get(0) ?? 0n) : null;
  await admin.disconnect();
  const round = (v: number, d = 2) => Math.round(v * 10 ** d) / 10 ** d;
  return {
    stage: task.stage,
    ...(task.variant ? { variant: task.variant } : {}),
    exactlyOnce: task.exactlyOnce,
    records: task.dataRecords,
    totalRecords: task.totalRecords,
    outputs,
    seconds: round(seconds, 3),
    recordsPerS: Math.round(task.dataRecords / seconds),
    startS: round((t0 - started) / 1000),
    stageCores: round(stageCpuS / seconds),
    brokerCores: round(brokerS / seconds),
    otherCores: round(Math.max(0, busyS - stageCpuS - brokerS) / seconds),
    loadAverage: round((await import('node:os')).loadavg()[0]!),
    peakRssMb: peak,
    processS: round(processS),
    commitS: round(commitS),
    transactions,
    fetchBytesPerPartition: config.kafka.fetch_max_bytes_per_partition,
    maxBatchRecords: config.kafka.max_batch_records,
    profile,
  };
}

/** The first `limit` data records of partition 0 of a topic (fewer if it holds fewer), raw (read_committed). */
async function firstRecords(kafka: import('kafkajs').Kafka, topic: string, limit: number, end: bigint, slack: bigint): Promise<KafkaMessage[]> {
  const consumer = kafka.consumer({ groupId: `bench-sample-${process.pid}-${Date.now()}`, readUncommitted: false, allowAutoTopicCreation: false });
  const out: KafkaMessage[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      consumer
        .run({
          eachBatch: async ({ batch }) => {
            if (batch.partition !== 0 || out.length >= limit) return;
            for (const m of batch.messages) if (m.value !== null && out.length < limit) out.push(m);
            const last = batch.messages[batch.messages.length - 1];
            if (out.length >= limit || (last !== undefined && BigInt(last.offset) + 1n + slack >= end)) resolve();
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
  return out;
}

/**
 * The same work as the runner, step by step in this process without Kafka, on the first records of partition 0
 * (one camera's order kept): what each step costs per input record.
 */
async function profileStage(
  task: StageTask,
  kafka: import('kafkajs').Kafka,
  serde: import('../schemas/serde/topic-serde.ts').TopicSerde,
  build: () => import('../pipelines/runtime/stage.ts').Stage<unknown, unknown>,
  codecOf: (t: Topic) => import('../pipelines/runtime/kafka/wire.ts').TopicCodec<unknown>,
  stateTopic: string,
  chunk: number,
  end0: bigint,
): Promise<StageProfile> {
  const { stateMessages } = await import('../pipelines/runtime/kafka/state-store.ts');
  const topics = STAGE_TOPICS[task.stage];
  const messages = await firstRecords(kafka, task.inputTopic, task.profileRecords, end0, task.inputTransactional ? 1n : 0n);
  const stage = build();
  const forwarded: unknown[] = [];
  const ctx = { stage: stage.name, logger: pino({ level: 'silent' }), clock: { now: () => Date.now() }, count: () => undefined, forward: async (r: unknown) => void forwarded.push(r) };
  await stage.init?.(ctx);
  const inCodec = codecOf(topics.input);
  const outCodec = codecOf(topics.output);
  let avro = 0;
  let fromWire = 0;
  let processT = 0;
  let encode = 0;
  let stateT = 0;
  let outputs = 0;
  let inputBytes = 0;
  let outputBytes = 0;
  let stateBytes = 0;
  let stateMax = 0;
  let commits = 0;
  const batch = stage.maxBatch ?? 1;
  for (let i = 0; i < messages.length; i += chunk) {
    const part = messages.slice(i, i + chunk);
    const records: unknown[] = [];
    for (const m of part) {
      inputBytes += m.value!.length;
      let t = performance.now();
      const { value, encoded } = await serde.decodeKeepingBody(m.value!);
      avro += performance.now() - t;
      t = performance.now();
      records.push(await inCodec.fromWire(value, encoded));
      fromWire += performance.now() - t;
    }
    for (let j = 0; j < records.length; j += batch) {
      let t = performance.now();
      await stage.process(records.slice(j, j + batch), ctx);
      processT += performance.now() - t;
      t = performance.now();
      for (const r of forwarded.splice(0)) {
        serde.encodeKey(topics.output, outCodec.key(r) as never);
        const bytes = serde.encodeValue(topics.output, (await outCodec.toWire(r)) as never);
        outputBytes += bytes.length;
        outputs++;
      }
      encode += performance.now() - t;
    }
    if (stage.state) {
      const t = performance.now();
      for (const m of stateMessages(stage.state, stateTopic, () => 0)) {
        stateBytes += m.value?.length ?? 0;
        stateMax = Math.max(stateMax, m.value?.length ?? 0);
      }
      stateT += performance.now() - t;
      commits++;
    }
  }
  await stage.close?.();
  const n = messages.length;
  const us = (ms: number) => Math.round((ms * 1000) / n);
  return {
    records: n,
    avroDecodeUs: us(avro),
    fromWireUs: us(fromWire),
    processUs: us(processT),
    encodeUs: us(encode),
    stateUs: us(stateT),
    chunk,
    stateBytesPerCommit: commits > 0 ? Math.round(stateBytes / commits) : 0,
    stateRecordMaxBytes: stateMax,
    outputsPerRecord: Math.round((outputs / n) * 100) / 100,
    inputBytes: Math.round(inputBytes / n),
    outputBytes: outputs > 0 ? Math.round(outputBytes / outputs) : 0,
  };
}

/**
 * BENCH_CPU_PROFILE=<dir>: a V8 CPU profile of the stage process over the measured window, written as
 * <dir>/<stage>-<eos|alo>.cpuprofile (open it in Chrome DevTools, or summarise it with bench/kafka-cpu-profile.ts).
 */
async function startCpuProfile(dir: string | undefined): Promise<{ stop(name: string): Promise<void> } | undefined> {
  if (!dir) return undefined;
  const { Session } = await import('node:inspector/promises');
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 1000 });
  await session.post('Profiler.start');
  return {
    async stop(name) {
      const { profile } = await session.post('Profiler.stop');
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, `${name}.cpuprofile`), JSON.stringify(profile));
      session.disconnect();
    },
  };
}

/**
 * A topic's end offsets; the admin's metadata can be a moment behind a topic another process just made (a partition
 * without its leader yet answers NOT_LEADER): the metadata is fetched again before each retry.
 */
async function endOffsets(admin: import('kafkajs').Admin, topic: string): Promise<Array<{ partition: number; high: string }>> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await admin.fetchTopicOffsets(topic);
    } catch (err) {
      if (attempt >= 10 || !(err instanceof Error && 'retriable' in err && err.retriable)) throw err;
      await sleep(500);
      await admin.fetchTopicMetadata({ topics: [topic] }).catch(() => undefined);
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

// ---------------------------------------------------------------------------------------------------------------
// parent side

export type KafkaChildTask = EnrolTask | StageTask;
type ResultOf<T extends KafkaChildTask> = T extends EnrolTask ? EnrolResult : StageRunResult;

/** Runs `task` in a child process of its own and returns what it reports. */
export async function runKafkaChild<T extends KafkaChildTask>(task: T, resultFile: string): Promise<ResultOf<T>> {
  const args = [join(root, 'bin', 'run-ts.js'), join(root, 'bench', 'kafka-child.ts'), JSON.stringify(task), resultFile];
  const child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (c, s) => resolve([c, s]));
  });
  if (code !== 0) throw new Error(`bench child ${task.kind}${task.kind === 'stage' ? ` ${task.stage}` : ''} failed (${signal ?? `exit ${code}`})`);
  return JSON.parse(readFileSync(resultFile, 'utf8')) as ResultOf<T>;
}

async function childMain(taskJson: string, resultFile: string): Promise<void> {
  const task = JSON.parse(taskJson) as KafkaChildTask;
  const value = task.kind === 'enrol' ? await enrol(task) : await runStage(task);
  writeFileSync(`${resultFile}.tmp`, JSON.stringify(value));
  renameSync(`${resultFile}.tmp`, resultFile);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [taskJson, resultFile] = process.argv.slice(2);
  if (!taskJson || !resultFile) {
    console.error("usage: node bin/run-ts.js bench/kafka-child.ts '<task json>' <result file>");
    process.exit(2);
  }
  try {
    await childMain(taskJson, resultFile);
  } catch (err) {
    console.error(`kafka bench child: ${(err as Error).stack ?? String(err)}`);
    process.exit(1);
  }
  // kafkajs and sharp may keep handles open; the result is written, so end here.
  process.exit(0);
}
