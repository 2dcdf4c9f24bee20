// `facestream stage <process>`: one process of a Kafka topology — a stage (or, for a source, the stages fused
// with it) — against KAFKA_BROKERS and SCHEMA_REGISTRY_URL. Steps in order; a missing setting, an unknown
// topology or an unreachable registry ends it with one clear line before anything is consumed. A process with
// `match` reads the `dossiers` topic to its end before it starts, and follows it while it runs. A process that
// ingests runs one camera (--camera, --source, --camera-settings), or without them is an ingest worker: it takes its
// share of the camera jobs on the `cameras` topic and runs each as a supervised child of that first kind
// (pipelines/cameras/kafka-jobs/, docs/KAFKA.md "Ingest workers").
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { Registry, collectDefaultMetrics } from 'prom-client';
import type { DeepPartial } from '../config/load.ts';
import { loadConfig } from '../config/load.ts';
import type { FacestreamConfig } from '../config/schema.ts';
import { setFfmpegLogging } from '../pipelines/ingest/ffmpeg-log.ts';
import { createExactFaceIndex, watchListFromFaces } from '../pipelines/match/index.ts';
import { LiveFaceIndex } from '../pipelines/match/live-index.ts';
import { WatchListRules } from '../pipelines/match/list-rules.ts';
import { syncIndexFromKafka } from '../enrolment/watchlist-sync/matcher-sync.ts';
import type { DossiersFollower } from '../enrolment/watchlist-sync/kafka-follower.ts';
import { findModel, loadManifest } from '../models/manifest.ts';
import type { StageDeps } from '../pipelines/registry.ts';
import { ANALYTICS_SINK_STAGES } from '../pipelines/sink-clickhouse/index.ts';
import type { OpenedAnalytics } from '../pipelines/sink-clickhouse/open.ts';
import type { FollowedCounterDefinitions } from '../pipelines/counters/index.ts';
import type { FollowedDedupGroups } from '../pipelines/dedup/groups.ts';
import { startMetricsServer } from '../pipelines/runtime/metrics-server.ts';
import { systemClock } from '../pipelines/runtime/stage.ts';
import { createTopicSerde } from '../schemas/serde/topic-serde.ts';
import { startKafkaProcess } from '../topologies/build-kafka.ts';
import { planProcess, processOf } from '../topologies/plan.ts';
import { TOPOLOGIES } from '../topologies/registry.ts';
import { detectorWholeFrameInput } from '../models/detector-input.ts';
import { createRunContext } from './context.ts';
import { createKafkaClient } from './kafka-client.ts';
import { UserError } from './user-error.ts';
import { localFrameStore } from '../stores/frames/local-frame-store.ts';
import { startSweeper, type Sweeper } from '../stores/frames/sweeper.ts';
import { followEpisodeClips, type KafkaClips } from '../pipelines/clips/kafka-clips.ts';
import type { Logger } from 'pino';
import type { Kafka } from 'kafkajs';
import { cameraOfChild, childName, startIngestWorker } from '../pipelines/cameras/kafka-jobs/worker.ts';
import { startWorkerStatus } from '../pipelines/cameras/kafka-jobs/worker-status.ts';
import { logChildCounters } from '../pipelines/cameras/kafka-jobs/child-counters.ts';
import { streamSettingsOfJob } from '../pipelines/cameras/settings.ts';
import { createCameraSettingsView } from '../pipelines/cameras/settings-view.ts';
import { followCameraSettings } from '../pipelines/cameras/settings-follower.ts';
import { parseSource } from '../pipelines/ingest/source-url.ts';
import { retryingSource } from '../pipelines/cameras/kafka-jobs/retrying-source.ts';
import { LIVE_BACKOFF } from '../pipelines/cameras/manager.ts';
import { kafkaNames } from '../pipelines/runtime/kafka/names.ts';
import type { CameraJob } from '../schemas/generated/avro-types.ts';
import type { TopicSerde } from '../schemas/serde/topic-serde.ts';
import type { TopologySpec } from '../topologies/topology.ts';
import { defaultOutput, Supervisor, type ChildLine } from './supervisor.ts';

export interface StageCommandOptions {
  readonly topology: string;
  readonly process: string;
  readonly instance: string;
  readonly camera?: string;
  readonly source?: string;
  /** the camera's stream_settings (FindFace names, pipelines/cameras/settings.ts) over the configuration */
  readonly cameraSettings?: Readonly<Record<string, unknown>>;
  /** stream start (epoch s) for file sources: fixed by the supervisor so a restarted ingest repeats the same timestamps */
  readonly startTime?: number;
  readonly watchlistDir?: string;
  readonly configFile?: string;
  readonly logLevel: string;
}

const MODEL_STAGES = new Set(['detect', 'embed']);
/** stages that read per-camera settings (pipelines/cameras/settings.ts) */
const CAMERA_SETTINGS_STAGES = new Set(['ingest', 'detect', 'track', 'match']);
const ENTRY = fileURLToPath(new URL('../bin/facestream.js', import.meta.url));
/** An ingest worker that stops heartbeating (killed, frozen) keeps its cameras this long before the others take them. */
const WORKER_SESSION_TIMEOUT_MS = 10_000;
/** how often an ingest worker reports every camera's status (and at once on a change of colour) */
const WORKER_STATUS_EVERY_MS = 5_000;

export async function runStage(opts: StageCommandOptions, signal: AbortSignal): Promise<void> {
  const logger = pino({ level: opts.logLevel, base: { process: opts.process, instance: opts.instance } });
  setFfmpegLogging(logger.isLevelEnabled('debug'));
  const overrides: DeepPartial<FacestreamConfig> = {
    ...(opts.camera ? { camera: opts.camera } : {}),
    ...(opts.startTime ? { ingest: { start_stream_timestamp: opts.startTime } } : {}),
  };
  const config = await loadConfig(opts.configFile, overrides);
  if (config.kafka.brokers.length === 0) throw new UserError('KAFKA_BROKERS is not set; start a local broker with `npm run kafka:up`');
  if (!config.kafka.schema_registry_url) throw new UserError('SCHEMA_REGISTRY_URL is not set; `facestream up` serves one, or point it at your registry');
  const spec = TOPOLOGIES[opts.topology];
  if (!spec) throw new UserError(`unknown topology "${opts.topology}" (known: ${Object.keys(TOPOLOGIES).join(', ')})`);
  const proc = processOf(spec, opts.process);
  planProcess(spec, opts.process);
  const hasSource = proc.stages.includes('ingest');
  const worker = hasSource && opts.camera === undefined && opts.source === undefined;
  if (hasSource && !worker && !(opts.camera && opts.source)) {
    throw new UserError(`process ${proc.name} reads a camera: give --camera <id> and --source <file|rtsp-url>, or neither to run as a worker that takes camera jobs from the cameras topic`);
  }
  const needsModels = !worker && (proc.stages.some((s) => MODEL_STAGES.has(s)) || (proc.stages.includes('match') && opts.watchlistDir !== undefined));

  const run = needsModels
    ? await createRunContext({
        ...(opts.configFile ? { configFile: opts.configFile } : {}),
        overrides: { ...overrides, ...(proc.modelWorkers !== undefined ? { runtime: { model_workers: proc.modelWorkers } } : {}) },
        ...(opts.watchlistDir ? { watchlistDir: opts.watchlistDir } : {}),
        onRejected: (m) => logger.warn(`watch list: skipped ${m}`),
      })
    : null;
  const metricsRegistry = new Registry();
  collectDefaultMetrics({ register: metricsRegistry });
  let metrics: Awaited<ReturnType<typeof startMetricsServer>> | undefined;
  let analytics: OpenedAnalytics | undefined;
  let dossiers: DossiersFollower | undefined;
  let counters: FollowedCounterDefinitions | undefined;
  let dedupGroups: FollowedDedupGroups | undefined;
  let cameraSettings: DossiersFollower | undefined;
  let sweeper: Sweeper | undefined;
  let clips: KafkaClips | null = null;
  try {
    if (proc.stages.some((s) => (ANALYTICS_SINK_STAGES as readonly string[]).includes(s))) {
      // write-through: the runner commits the input offsets when process() returns, so the rows must be written by then
      const { openAnalytics } = await import('../pipelines/sink-clickhouse/open.ts');
      analytics = await openAnalytics({ config, logger, writeThrough: true });
      if (analytics.store.target.kind === 'embedded') {
        logger.warn(
          { dataDir: analytics.store.target.dataDir },
          'analytics in the embedded chdb of this process: no other process (the API) can read it, and one instance only; set CLICKHOUSE_URL for a deployment',
        );
      }
    }
    const serde = createTopicSerde({
      registryUrl: config.kafka.schema_registry_url,
      topicPrefix: config.kafka.topic_prefix,
      logger,
      registerRetry: { attempts: config.kafka.max_retries + 1 },
    });
    await serde.registerAll();
    metrics = await startMetricsServer({ registry: metricsRegistry, port: config.kafka.metrics_port, logger });
    logger.info({ metrics: metrics.url }, 'metrics served');
    // the process that owns the frame store deletes what outlived its retention: a worker, not each camera child it runs
    if (hasSource && config.frame_store.dir && opts.cameraSettings === undefined) {
      sweeper = startSweeper({ dir: config.frame_store.dir, config: config.frame_store, logger, registry: metricsRegistry });
    }
    const kafka = createKafkaClient({ brokers: config.kafka.brokers, clientId: `${config.kafka.client_id}-${proc.name}-${opts.instance}`, logger });
    if (worker) {
      await runIngestWorker({ opts, spec, config, kafka, serde, logger, registry: metricsRegistry }, signal);
      return;
    }
    // the --watchlist folder's faces (if any), then every face enrolled through the API, read from the `dossiers`
    // topic before the stage takes its first embedding and kept up to date while it runs
    let index = run?.index ?? createExactFaceIndex(watchListFromFaces([]));
    const watchListRules = new WatchListRules();
    if (proc.stages.includes('match')) {
      index = new LiveFaceIndex(index);
      const modelId = run?.models.embedderId ?? findModel(loadManifest(config.model_manifest || undefined), 'embedder')?.id ?? '';
      dossiers = await syncIndexFromKafka({ kafka, serde, topicPrefix: config.kafka.topic_prefix, index, rules: watchListRules, modelId, logger });
    }
    // a worker's camera child is handed its camera's settings (and restarted when they change); other processes follow
    // every camera's settings on the `cameras` topic, read to its end before the first record
    const settingsView = createCameraSettingsView(config);
    if (opts.camera !== undefined && opts.cameraSettings !== undefined) settingsView.set(opts.camera, opts.cameraSettings);
    else if (proc.stages.some((s) => CAMERA_SETTINGS_STAGES.has(s))) {
      cameraSettings = await followCameraSettings(settingsView, { kafka, serde, topicPrefix: config.kafka.topic_prefix, logger });
      await cameraSettings.ready;
    }
    if (proc.stages.includes('counters')) {
      const { openCounterDefinitions } = await import('../pipelines/counters/open.ts');
      counters = await openCounterDefinitions({ config, logger });
    }
    if (proc.stages.includes('episodes')) {
      const { openDedupGroups } = await import('../pipelines/dedup/groups.ts');
      dedupGroups = await openDedupGroups({ config, logger });
    }
    const frameStore = hasSource && config.frame_store.dir ? localFrameStore(config.frame_store.dir, config.frame_store.jpeg_quality) : undefined;
    // the camera's episode clips (clips.enabled): its packets and frames here, its episodes from the `episodes` topic
    clips = hasSource ? await followEpisodeClips({ config, camera: opts.camera!, kafka, serde, logger, registry: metricsRegistry }) : null;
    const bareDeps: StageDeps = {
      config,
      ...(frameStore ? { frameStore } : {}),
      ...(run ? { models: run.models } : {}),
      index,
      watchListRules,
      cameraSettings: settingsView,
      ...(hasSource ? { source: { camera: opts.camera!, url: opts.source!, jobStartMs: systemClock.now() } } : {}),
      ...(hasSource && !run ? await detectorInputOf(config.model_manifest) : {}),
      ...(analytics ? { analytics: { sink: analytics.sink, writeThrough: analytics.writeThrough }, clickhouse: analytics.store.client } : {}),
      ...(counters ? { counterDefinitions: counters } : {}),
      ...(dedupGroups ? { dedupGroups } : {}),
    };
    const deps = clips ? clips.withPacketTap(bareDeps) : bareDeps;
    const running = await startKafkaProcess({
      spec,
      process: proc.name,
      instance: opts.instance,
      config,
      kafka,
      serde,
      deps,
      ...(clips ? { taps: clips.taps } : {}),
      logger,
      registry: metricsRegistry,
      clock: systemClock,
      // a live camera is read again in this process when it fails (within seconds of its return); a file is not
      ...(hasSource && parseSource(opts.source!).live ? { wrapSource: (source) => retryingSource(source, { camera: opts.camera!, backoff: LIVE_BACKOFF, logger }) } : {}),
    });
    const stop = () => void running.stop();
    signal.addEventListener('abort', stop, { once: true });
    // a camera's process tells what it counted (its worker reads it into the camera's status)
    const stopCounters = hasSource ? logChildCounters(metricsRegistry, logger, WORKER_STATUS_EVERY_MS) : undefined;
    try {
      await running.done;
      // a file read to its end: its episodes, closed downstream, still end its clips
      if (clips && !signal.aborted) await clips.sourceEnded(signal);
    } finally {
      signal.removeEventListener('abort', stop);
      await stopCounters?.();
    }
    logger.info('process finished');
  } finally {
    await clips?.stop();
    await sweeper?.stop();
    await dossiers?.stop();
    await counters?.close();
    await dedupGroups?.close();
    await cameraSettings?.stop();
    await metrics?.close();
    await analytics?.close();
    await run?.models.close();
  }
}

async function detectorInputOf(manifest: string): Promise<Pick<StageDeps, 'detectorInput'>> {
  const size = await detectorWholeFrameInput(manifest || undefined);
  return size ? { detectorInput: size } : {};
}

interface WorkerContext {
  readonly opts: StageCommandOptions;
  readonly spec: TopologySpec;
  readonly config: FacestreamConfig;
  readonly kafka: Kafka;
  readonly serde: TopicSerde;
  readonly logger: Logger;
  readonly registry: Registry;
}

/** An ingest worker until `signal` aborts (or its consumer fails): its cameras' children stop with it. */
async function runIngestWorker(ctx: WorkerContext, signal: AbortSignal): Promise<void> {
  const { opts, spec, config, logger } = ctx;
  // the children's lines go to this process's output, and their counters into their cameras' status
  let childLine: (line: ChildLine) => void = () => undefined;
  const supervisor = new Supervisor({ logger: logger.child({ component: 'supervisor' }), output: (line) => (defaultOutput(line), childLine(line)) });
  const childOf = (job: CameraJob) => ({
    name: childName(job.cameraId),
    command: process.execPath,
    args: [
      ENTRY, 'stage', opts.process, '--topology', spec.name, '--instance', job.cameraId,
      '--camera', job.cameraId, '--source', job.url, '--camera-settings', JSON.stringify(streamSettingsOfJob(job)),
      // a file's frames are dated from when this worker started its job, so a restarted child repeats the timestamps
      ...(parseSource(job.url).live ? [] : ['--start-time', String(Date.now() / 1000)]),
      ...(opts.configFile ? ['--config', opts.configFile] : []),
      '--log-level', opts.logLevel,
    ],
  });
  const status = await startWorkerStatus({
    kafka: ctx.kafka,
    serde: ctx.serde,
    topicPrefix: config.kafka.topic_prefix,
    worker: `${opts.process}-${opts.instance}`,
    supervisor,
    cameraOf: cameraOfChild,
    everyMs: WORKER_STATUS_EVERY_MS,
    clock: systemClock,
    logger,
  });
  childLine = (line) => status.childLine(line);
  const running = await startIngestWorker({
    kafka: ctx.kafka,
    serde: ctx.serde,
    topicPrefix: config.kafka.topic_prefix,
    groupId: kafkaNames(config.kafka.topic_prefix).group(`${opts.process}-workers`),
    sessionTimeoutMs: WORKER_SESSION_TIMEOUT_MS,
    logger,
    registry: ctx.registry,
    supervisor,
    childOf,
    onStopped: (camera, cause) => (cause === 'disabled' ? status.disabled(camera) : status.forget(camera)),
  }).catch(async (err: unknown) => {
    await status.stop();
    throw err;
  });
  logger.info('ingest worker: following camera jobs');
  try {
    await Promise.race([running.failed, new Promise<void>((resolve) => (signal.aborted ? resolve() : signal.addEventListener('abort', () => resolve(), { once: true })))]);
  } finally {
    await running.stop();
    await status.stop();
    logger.info('ingest worker: stopped');
  }
}
