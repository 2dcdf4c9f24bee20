// The Kafka part of `npm run bench` (`--only kafka`): on a real broker started by infra/kafka and stopped at the
// end, with facestream's schema registry,
//   1. end-to-end latency frame → event and Kafka bytes per camera-second: whole `facestream up` runs of the
//      distributed topology (JPEG and PNG pixels) and the edge topology, several shared clips replayed at their
//      own pace as cameras at once (bench/kafka-e2e.ts);
//   2. records/s through each non-model stage (track, match, episodes), ONE KafkaStageRunner in a child process of
//      its own over a pre-filled input topic: real detections and embeddings of run 1 replayed over many cameras
//      (bench/kafka-replay.ts), a real watch list enrolled from the deepface photos in the match index; match and
//      episodes exactly-once and at-least-once (bench/kafka-child.ts), after one unrecorded run of match that warms
//      the just-started broker up.
//
//   node bin/run-ts.js bench/kafka.ts [--json FILE]     this part alone, JSON on stdout or in FILE
//       [--stages match,episodes]  only these stage runs
//       [--seeds-cache FILE]   reuse the replay seeds of an earlier run, skipping the end-to-end runs (see seedsCache)
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { deserialize, serialize } from 'node:v8';
import { pino } from 'pino';
import { createKafkaClient } from '../cli/kafka-client.ts';
import { startKafka } from '../infra/kafka/broker.ts';
import { DEEPFACE_DIR } from '../models/testing/deepface.ts';
import { ensureTopics } from '../pipelines/runtime/kafka/topics.ts';
import { startSchemaRegistry } from '../schemas/registry/server.ts';
import { createTopicSerde } from '../schemas/serde/topic-serde.ts';
import { summarise, type ProfileShare } from './kafka-cpu-profile.ts';
import { packageVersion } from './machine.ts';
import { runKafkaChild, STAGE_TOPICS, type BenchStage, type EnrolResult, type StageRunResult, type StageTask } from './kafka-child.ts';
import { loopedClip, measureEndToEnd, type E2eRun, type LoopedClip } from './kafka-e2e.ts';
import { replayDetections, replayEmbeddings, type ReplayPlan, type ReplaySummary } from './kafka-replay.ts';
import type { QuietGate } from './memory.ts';
import type { Topic } from '../topologies/names.ts';
import type * as AvroRecords from '../schemas/generated/avro-types.ts';

/** The clips replayed as cameras at once in the end-to-end runs (their people are known: bench/data/video-people.json). */
export const E2E_CLIPS = [
  'head-pose-face-detection-female.mp4',
  'head-pose-face-detection-male.mp4',
  'face-demographics-walking-and-pause.mp4',
  'face-demographics-walking.mp4',
] as const;

export interface KafkaBenchOptions {
  readonly log?: (line: string) => void;
  readonly gate?: QuietGate;
  /** input records of the track stage; of match (whose events are the episodes input) */
  readonly trackRecords?: number;
  readonly matchRecords?: number;
  /** cameras live at a time in the replays */
  readonly concurrentCameras?: number;
  /** each shared clip is looped to this long for the end-to-end runs */
  readonly clipSeconds?: number;
  /** events whose frame came before every stage had joined + this are left out of the latency figures */
  readonly warmupS?: number;
  /**
   * For working on the stage runs alone: the replay seeds (decoded Avro values) are read from this file when it
   * exists, and the end-to-end runs that would make them are skipped; else they are written to it after those runs.
   */
  readonly seedsCache?: string;
  /** only these stages are run (all by default) */
  readonly stages?: readonly BenchStage[];
}

export interface KafkaResults {
  readonly broker: { readonly kafka: string; readonly kafkajs: string; readonly jvm: string };
  readonly watchlist: { readonly photos: number; readonly enrolled: number; readonly rejected: number; readonly source: string };
  readonly clips: readonly LoopedClip[];
  readonly e2e: readonly E2eRun[];
  readonly replays: { readonly detections: ReplaySummary; readonly embeddings: ReplaySummary };
  readonly concurrentCameras: number;
  readonly stages: readonly StageRunResult[];
  /** where the CPU of a stage process goes: a V8 CPU profile of a separate run (profiling slows it a little) */
  readonly cpuProfiles: ReadonlyArray<{ readonly stage: BenchStage; readonly exactlyOnce: boolean; readonly records: number; readonly recordsPerS: number; readonly windowMs: number; readonly shares: readonly ProfileShare[] }>;
}

/** What the stage replays copy: the detections and embeddings one distributed run left on Kafka, decoded. */
interface Seeds {
  readonly detections: AvroRecords.FrameDetections[];
  readonly embeddings: AvroRecords.FaceEmbedding[];
}

const DEFAULTS = { trackRecords: 5_000, matchRecords: 50_000, concurrentCameras: 16, clipSeconds: 30, warmupS: 3 } as const;

/** The watch list: every deepface photo a one-photo dossier, and the demo's woman in grey (who walks in a clip). */
function makeWatchlist(dir: string): { photos: number; source: string } {
  mkdirSync(dir, { recursive: true });
  const photos = readdirSync(DEEPFACE_DIR).filter((f) => /^img\d+\.jpg$/.test(f));
  for (const f of photos) copyFileSync(join(DEEPFACE_DIR, f), join(dir, f));
  copyFileSync(new URL('../examples/demo/watchlist/woman-in-grey.jpg', import.meta.url), join(dir, 'woman-in-grey.jpg'));
  return { photos: photos.length + 1, source: 'shared/data/faces/deepface/img*.jpg (one dossier per photo) + examples/demo/watchlist/woman-in-grey.jpg' };
}

export async function measureKafka(opts: KafkaBenchOptions = {}): Promise<KafkaResults> {
  const log = opts.log ?? (() => {});
  const o = { ...DEFAULTS, ...Object.fromEntries(Object.entries(opts).filter(([, v]) => v !== undefined)) } as typeof DEFAULTS & KafkaBenchOptions;
  const work = await mkdtemp(join(tmpdir(), 'facestream-bench-kafka-'));
  log('kafka: starting a broker (infra/kafka) and a schema registry');
  const broker = await startKafka();
  const registry = await startSchemaRegistry({ port: 0 });
  try {
    const logger = pino({ level: 'warn' });
    const kafka = createKafkaClient({ brokers: broker.brokers, clientId: 'bench', logger });

    const wlDir = join(work, 'watchlist');
    const wl = makeWatchlist(wlDir);
    log(`kafka: enrolling the watch list (${wl.photos} photos)`);
    const enrolled = await runKafkaChild({ kind: 'enrol', dir: wlDir }, join(work, 'enrolled.json'));
    const watchlistFile = join(work, 'enrolled.json');
    log(`  ${enrolled.faces.length} faces enrolled, ${enrolled.rejected.length} photos rejected`);

    const clips = E2E_CLIPS.map((c, i) => loopedClip(c, `cam-${i + 1}`, o.clipSeconds));
    const e2e: E2eRun[] = [];
    let seeds: Map<Topic, { value: Buffer | null }[]> | undefined;
    const cached = o.seedsCache && existsSync(o.seedsCache) ? (deserialize(readFileSync(o.seedsCache)) as Seeds) : undefined;
    if (cached) log(`kafka: end-to-end runs skipped, replay seeds read from ${o.seedsCache}`);
    // The last run has one camera: on 2 cores, 4 cameras keep the machine busy and their latency grows while they
    // play; one camera shows the pipeline's own latency.
    const runs = [['distributed', 'jpeg', clips.length], ['distributed', 'png', clips.length], ['edge', 'jpeg', clips.length], ['distributed', 'jpeg', 1]] as const;
    for (const [topology, imageFormat, cameras] of cached ? [] : runs) {
      await opts.gate?.wait();
      log(`kafka: up --topology ${topology} (${imageFormat}), ${cameras} camera${cameras === 1 ? '' : 's'} of ${o.clipSeconds} s at their own pace`);
      const { run, records } = await measureEndToEnd({
        brokers: broker.brokers,
        registryUrl: registry.url,
        kafka,
        topology,
        imageFormat,
        sources: clips.slice(0, cameras),
        watchlist: wlDir,
        warmupS: o.warmupS,
        timeoutS: o.clipSeconds + 300,
        log,
      });
      log(`  ${run.events} events; frame → event p50 ${run.latencyMs?.p50} ms, p95 ${run.latencyMs?.p95} ms (${run.latencyMs?.n} after the warm-up); load ${run.loadAtStart} → ${run.loadAtEnd}`);
      e2e.push(run);
      if (topology === 'distributed' && imageFormat === 'jpeg' && cameras === clips.length) seeds = records;
    }

    // the replayed inputs, made once; every run of a stage reads the same topic with a group of its own
    const serde = createTopicSerde({ registryUrl: registry.url, topicPrefix: 'bench.', logger });
    await serde.registerAll();
    const admin = kafka.admin();
    await admin.connect();
    const inputs = { detections: 'bench.in.detections', embeddings: 'bench.in.embeddings' };
    await ensureTopics(admin, Object.values(inputs).map((topic) => ({ topic, numPartitions: 4, replicationFactor: -1 })));
    await admin.disconnect();
    const plan = (records: number): ReplayPlan => ({ records, concurrent: o.concurrentCameras, gapMs: 90_000 });
    const values = async <T,>(t: Topic) => Promise.all((seeds?.get(t) ?? []).flatMap((r) => (r.value ? [serde.decode(r.value) as Promise<T>] : [])));
    const replaySeeds: Seeds = cached ?? { detections: await values('detections'), embeddings: await values('embeddings') };
    if (o.seedsCache && !cached) writeFileSync(o.seedsCache, serialize(replaySeeds));
    log(`kafka: replaying ${o.trackRecords} detections and ${o.matchRecords} embeddings over ${o.concurrentCameras} cameras at a time`);
    const detections = await replayDetections(kafka, serde, inputs.detections, replaySeeds.detections, plan(o.trackRecords), log);
    const embeddings = await replayEmbeddings(kafka, serde, inputs.embeddings, replaySeeds.embeddings, plan(o.matchRecords), log);
    log(`  ${detections.records} detections (${detections.cameras} cameras), ${embeddings.records} embeddings (${embeddings.cameras} cameras) in ${detections.seconds + embeddings.seconds} s`);

    const stages: StageRunResult[] = [];
    const base = { kind: 'stage', brokers: broker.brokers, registryUrl: registry.url, brokerPid: broker.pid, imageFormat: 'jpeg', profileRecords: 2000 } as const;
    const run = async (stage: BenchStage, exactlyOnce: boolean, input: { topic: string; records: number; markers: number; transactional: boolean }, extra: Partial<StageTask> = {}, warmUp = false) => {
      // episodes reads what match wrote, so match runs whenever episodes does
      if (o.stages && !o.stages.includes(stage) && !(stage === 'match' && exactlyOnce && !extra.cpuProfileDir && o.stages.includes('episodes'))) return undefined;
      await opts.gate?.wait();
      const runPrefix = `bench.${stage}-${exactlyOnce ? 'eos' : 'alo'}${extra.cpuProfileDir ? '-profiled' : ''}${extra.variant ? '-variant' : ''}${warmUp ? '-warmup' : ''}.`;
      log(`kafka: ${stage} stage over ${input.records} records, exactly_once ${exactlyOnce}${extra.variant ? ` (${extra.variant})` : ''}${warmUp ? ' (broker warm-up, not recorded)' : ''}`);
      const task: StageTask = {
        ...base,
        stage,
        exactlyOnce,
        inputTopic: input.topic,
        runPrefix,
        dataRecords: input.records,
        totalRecords: input.records + input.markers,
        inputTransactional: input.transactional,
        ...extra,
      };
      const r = await runKafkaChild(task, join(work, `${stage}-${exactlyOnce}.json`));
      log(`  ${r.recordsPerS} records/s (${r.seconds} s), stage ${r.stageCores} cores, broker ${r.brokerCores}, other load ${r.otherCores}, peak RSS ${r.peakRssMb} MiB`);
      if (!extra.cpuProfileDir && !warmUp) stages.push(r);
      return { topic: `${runPrefix}${STAGE_TOPICS[stage].output}`, outputs: r.outputs, result: r };
    };
    const detIn = { topic: inputs.detections, records: detections.records, markers: detections.markers, transactional: false };
    const embIn = { topic: inputs.embeddings, records: embeddings.records, markers: embeddings.markers, transactional: false };
    await run('track', true, detIn);
    // A broker just started serves its fetch and transaction paths cold (JVM JIT): one unrecorded run of match warms
    // it, as a broker in service is. Without it the first recorded run came out 10–20 % below the same run repeated.
    await run('match', true, embIn, { watchlistFile }, true);
    const matched = await run('match', true, embIn, { watchlistFile });
    await run('match', false, embIn, { watchlistFile });
    // the same records with nothing to compare them with: what the runner, kafkajs and Avro cost alone
    const emptyWatchlist = join(work, 'empty-watchlist.json');
    writeFileSync(emptyWatchlist, JSON.stringify({ faces: [], rejected: [] } satisfies EnrolResult));
    await run('match', true, embIn, { watchlistFile: emptyWatchlist, variant: 'empty watch list: the runner alone' });
    // the episodes input is what the exactly-once match run wrote: one event per embedding, markers passed on
    const eventsIn = matched && { topic: matched.topic, records: matched.outputs, markers: embeddings.markers, transactional: true };
    if (eventsIn) await run('episodes', true, eventsIn);
    if (eventsIn) await run('episodes', false, eventsIn);
    // the same, exactly-once, again under V8's sampling profiler (a separate run: profiling costs a little)
    const cpuProfiles: KafkaResults['cpuProfiles'][number][] = [];
    for (const [stage, input, extra] of [['match', embIn, { watchlistFile }], ['episodes', eventsIn, {}]] as const) {
      if (!input || (o.stages && !o.stages.includes(stage))) continue;
      const dir = join(work, 'cpu');
      log(`kafka: ${stage} stage again, exactly-once, under the CPU profiler`);
      const { result } = (await run(stage, true, input, { ...extra, cpuProfileDir: dir, profileRecords: 0 }))!;
      const { windowMs, shares } = summarise(JSON.parse(readFileSync(join(dir, `${stage}-eos.cpuprofile`), 'utf8')));
      cpuProfiles.push({ stage, exactlyOnce: true, records: input.records, recordsPerS: result.recordsPerS, windowMs, shares: shares.slice(0, 14) });
    }

    return {
      broker: { kafka: '3.9.1 (KRaft, single node, infra/kafka)', kafkajs: packageVersion('kafkajs'), jvm: '-Xms256m -Xmx512m -XX:+UseSerialGC -XX:TieredStopAtLevel=1' },
      watchlist: { photos: wl.photos, enrolled: enrolled.faces.length, rejected: enrolled.rejected.length, source: wl.source },
      clips,
      e2e,
      replays: { detections, embeddings },
      concurrentCameras: o.concurrentCameras,
      stages,
      cpuProfiles,
    };
  } finally {
    await registry.close();
    await broker.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

export type { EnrolResult };

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values } = parseArgs({
    options: { json: { type: 'string' }, 'seeds-cache': { type: 'string' }, stages: { type: 'string' }, 'track-records': { type: 'string' }, 'match-records': { type: 'string' }, 'clip-seconds': { type: 'string' } },
    strict: true,
  });
  const num = (v: string | undefined) => (v === undefined ? undefined : Number(v));
  const results = await measureKafka({
    log: (l) => console.error(l),
    ...(values['track-records'] ? { trackRecords: num(values['track-records'])! } : {}),
    ...(values['match-records'] ? { matchRecords: num(values['match-records'])! } : {}),
    ...(values['clip-seconds'] ? { clipSeconds: num(values['clip-seconds'])! } : {}),
    ...(values['seeds-cache'] ? { seedsCache: values['seeds-cache'] } : {}),
    ...(values.stages ? { stages: values.stages.split(',') as BenchStage[] } : {}),
  });
  const text = `${JSON.stringify(results, null, 2)}\n`;
  if (values.json) writeFileSync(values.json, text);
  else process.stdout.write(text);
  process.exit(0);
}
