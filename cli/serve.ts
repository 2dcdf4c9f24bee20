// `facestream serve`: the API on one box. Reads like a checklist: configuration → identity store (PGlite in
// <data-dir>/postgres, or DATABASE_URL) → the first administrator when there is no user → the relay of enrolments to
// matchers (the Kafka `dossiers` topic with KAFKA_BROKERS, else in process) → analytics store (chdb in <data-dir>/clickhouse, or CLICKHOUSE_URL) →
// face models → the cameras → API → listen. Shutdown (SIGTERM/SIGINT) closes them in reverse order; a second signal
// leaves at once.
// The cameras: without Kafka, serve runs the embedded pipeline itself (topologies/serve.ts: ingest … match, episodes,
// the sinks into the ClickHouse the API reads) with one ingest source per active camera of PostgreSQL, started,
// restarted and stopped by the camera manager as the API changes cameras; the matcher follows the watch lists through
// the in-process enrolment publisher; camera health is in GET /cameras and, every 5 s and on each change, in
// camera_stats. With KAFKA_BROKERS the cameras run on the Kafka workers (`facestream stage ingest`) instead, and
// their health comes from the workers' `camera-status` records (pipelines/cameras/status-follower.ts).
// With viewtron.enabled (and no Kafka) the Viewtron push receiver runs in that pipeline too (docs/VIEWTRON-RECEIVER.md).
import { join } from 'node:path';
import { pino } from 'pino';
import { loadConfig } from '../config/load.ts';
import { buildApi } from '../api/app.ts';
import { ensureFirstAdmin } from '../api/auth/bootstrap.ts';
import type { ApiConfig } from '../api/config.ts';
import { createFaceService } from '../api/photos/face-service.ts';
import { Registry } from 'prom-client';
import type { HealthRules } from '../pipelines/cameras/health.ts';
import { CameraManager } from '../pipelines/cameras/manager.ts';
import { localFrameStore } from '../stores/frames/local-frame-store.ts';
import { startFrameStoreHooks, type FrameStoreHooks } from '../pipelines/clips/serve-hooks.ts';
import { createCameraSettingsView } from '../pipelines/cameras/settings-view.ts';
import { relayCameraSettings } from '../pipelines/cameras/settings-follower.ts';
import { startStatusReporter } from '../pipelines/cameras/status.ts';
import { followCameraStatusesOf, type CameraStatusFollower } from '../pipelines/cameras/status-follower.ts';
import { createFaceIndex, watchListFromFaces, WatchListRules } from '../pipelines/match/index.ts';
import { LiveFaceIndex } from '../pipelines/match/live-index.ts';
import { systemClock } from '../pipelines/runtime/stage.ts';
import { setFfmpegLogging } from '../pipelines/ingest/ffmpeg-log.ts';
import type { FaceModels } from '../models/face-models.types.ts';
import type { Db } from '../stores/postgres/db.ts';
import type { ClickHouseClient } from '@clickhouse/client';
import { writeCameraStatuses } from '../stores/clickhouse/camera-stats.ts';
import { buildGraph, type InProcessRun } from '../topologies/build-inproc.ts';
import { notifierFor } from '../pipelines/notify/index.ts';
import { TOPICS, type Topic } from '../topologies/names.ts';
import type { RecordTap, Tap } from '../pipelines/runtime/inproc/run-graph.ts';
import { SERVE_PER_CAMERA, serveStages } from '../topologies/serve.ts';
import { syncIndexInProcess } from '../enrolment/watchlist-sync/matcher-sync.ts';
import { loadRunModels } from './context.ts';
import { startClickHouse } from '../stores/clickhouse/index.ts';
import { redactUrl } from '../stores/clickhouse/client.ts';
import { databaseOptionsOf } from '../stores/postgres/config.ts';
import { openDatabase } from '../stores/postgres/open.ts';
import type { FacestreamConfig } from '../config/schema.ts';
import { createTopicSerde } from '../schemas/serde/topic-serde.ts';
import { createInProcessDossierPublisher, type InProcessDossierPublisher } from '../enrolment/watchlist-sync/inproc-publisher.ts';
import { startKafkaDossierPublisher } from '../enrolment/watchlist-sync/kafka-publisher.ts';
import { startOutboxRelay, type OutboxRelay } from '../enrolment/watchlist-sync/outbox-relay.ts';
import type { DossierPublisher } from '../enrolment/watchlist-sync/publisher.ts';
import { startCameraJobRelayOf } from '../pipelines/cameras/publish/camera-outbox.ts';
import { createKafkaClient } from './kafka-client.ts';
import { UserError } from './user-error.ts';

export interface ServeOptions {
  readonly configFile?: string;
  /** command-line settings over the configuration's `api` section */
  readonly api: Partial<ApiConfig>;
  /** where PGlite and chdb keep their data (`<dir>/postgres`, `<dir>/clickhouse`), over stores.*.data_dir */
  readonly dataDir?: string;
  readonly logLevel: string;
  /** the environment (DATABASE_URL, CLICKHOUSE_URL, …), read once by the configuration */
  readonly env: NodeJS.ProcessEnv;
  /** told what happens (one line each) */
  readonly say: (line: string) => void;
}

export interface Served {
  readonly url: string;
  /** without Kafka: every face a matcher must hold and each change, for matchers in this process to subscribe to */
  readonly dossiers?: InProcessDossierPublisher;
  /** without Kafka: the cameras this process runs, and the taps of their graph (topic → observers) */
  readonly cameras?: ServedCameras;
  stop(): Promise<void>;
}

/** Starts everything and resolves once the API listens; `stop()` closes it all (safe to call twice). */
export async function serve(opts: ServeOptions): Promise<Served> {
  const dirs = opts.dataDir ? { postgres: { data_dir: join(opts.dataDir, 'postgres') }, clickhouse: { data_dir: join(opts.dataDir, 'clickhouse') } } : {};
  const config = await loadConfig(opts.configFile, { api: opts.api, stores: dirs }, opts.env);
  const { api } = config;
  const closers: Array<[string, () => Promise<unknown>]> = [];
  const stop = once(async () => {
    for (const [name, close] of closers.reverse()) {
      try {
        await close();
        opts.say(`closed ${name}`);
      } catch (err) {
        opts.say(`closing ${name} failed: ${(err as Error).message}`);
      }
    }
  });
  try {
    const pg = databaseOptionsOf(config.stores.postgres);
    const { db, migrations } = await openDatabase(pg);
    closers.push(['the identity store', () => db.close()]);
    opts.say(`identity store: ${pg.url ? redactUrl(pg.url) : `PGlite in ${pg.dataDir}`} (${migrations.applied.length} migrations applied)`);

    // nobody could log in to create the first user: make `admin`, with FACESTREAM_ADMIN_PASSWORD or a random
    // password told once (docs/API.md "Authentication and rights")
    const admin = await ensureFirstAdmin(db, opts.env['FACESTREAM_ADMIN_PASSWORD']);
    if (admin.created && admin.password !== undefined) opts.say(`created user ${admin.name} with password ${admin.password} (shown only now: log in and change it)`);
    else if (admin.created) opts.say(`created user ${admin.name} with the password in FACESTREAM_ADMIN_PASSWORD`);

    // enrolments and deletions reach every matcher (docs/KAFKA.md "dossiers", docs/STORES.md "Outbox")
    const logger = pino({ level: opts.logLevel, base: { component: 'watchlist-sync' } });
    const { publisher, dossiers } = await dossierPublisher(config, logger);
    closers.push(['the dossiers publisher', () => publisher.close()]);
    const relay: OutboxRelay = await startOutboxRelay({ db, publisher, logger, snapshotAtStart: dossiers !== undefined });
    closers.push(['the dossiers relay', () => relay.stop()]);
    opts.say(`enrolments relayed to ${publisher.target}`);
    const cameraJobs = await startCameraJobRelayOf(config.kafka, db, logger.child({ component: 'camera-jobs' }));
    if (cameraJobs) closers.push(['the camera jobs relay', () => cameraJobs.stop()]);

    const chConfig = config.stores.clickhouse;
    const ch = await startClickHouse(chConfig);
    closers.push(['the analytics store', () => ch.close()]);
    opts.say(`analytics store: ${chConfig.url ? redactUrl(chConfig.url) : `chdb in ${chConfig.data_dir}`}`);

    // one set for the API's photos and the cameras: in model worker threads, so the API's thread stays free
    const models = await loadRunModels(config);
    closers.push(['the face models', () => models.close()]);

    const metrics = new Registry();
    // the frame store's retention sweeper and, with clips.enabled, episode clips of the cameras (docs/CLIPS.md);
    // closed after the cameras, so that it finishes the clips of the episodes they close
    const frameStore = startFrameStoreHooks({ config, logger: pino({ level: opts.logLevel, base: { component: 'frame-store' } }), registry: metrics });
    closers.push(['the frame store', () => frameStore.stop()]);
    let cameras: ServedCameras | undefined;
    let statuses: CameraStatusFollower | undefined;
    if (dossiers) {
      cameras = await startCameras({ config, db, clickhouse: ch.client, models, dossiers, logLevel: opts.logLevel, registry: metrics, frameStore });
      closers.push(['the cameras', () => cameras!.stop()]);
      frameStore.attach(cameras);
      opts.say(`cameras: ${cameras.manager.healths().size} in PostgreSQL, run in this process`);
      if (config.viewtron.enabled) opts.say(`Viewtron pushes received on ${config.viewtron.host}:${config.viewtron.port}${config.viewtron.path}`);
    } else {
      // their health and its history come from the workers' reports on camera-status
      statuses = await followCameraStatusesOf(config.kafka, ch.client, logger.child({ component: 'camera-status' }));
      if (statuses) closers.push(['the camera-status follower', () => statuses!.stop()]);
      opts.say('cameras: run by the ingest workers on Kafka (facestream stage ingest), their health read from camera-status');
    }

    const app = await buildApi(
      {
        db,
        clickhouse: ch.client,
        faces: createFaceService({ models, confidenceThreshold: config.match.confidence_threshold, attributes: config.attributes }),
        enrol: config.enrol,
        logger: { level: opts.logLevel },
        metrics,
        ...(cameras ? { cameras: cameras.manager } : statuses ? { cameras: statuses.runtime } : {}),
        ...(frameStore.clipsDir ? { clipsDir: frameStore.clipsDir } : {}),
        ...(config.frame_store.dir ? { framesDir: config.frame_store.dir } : {}),
      },
      api,
    );
    closers.push(['the API', () => app.close()]);
    const url = await app.listen({ host: api.host, port: api.port });
    opts.say(`API listening on ${url} (OpenAPI at ${url}/openapi.json${api.docs ? `, Swagger UI at ${url}/docs` : ''})`);
    return { url, stop, ...(dossiers ? { dossiers } : {}), ...(cameras ? { cameras } : {}) };
  } catch (err) {
    await stop();
    throw err;
  }
}

export interface ServedCameras {
  readonly manager: CameraManager;
  /**
   * Adds an observer of a topic of the camera graph (episode changes for clips, events for notifications): called
   * with every record on it, in order, after serve's own observers.
   */
  tap(topic: Topic, observer: RecordTap): void;
  stop(): Promise<void>;
}

export interface CamerasOptions {
  readonly config: Readonly<FacestreamConfig>;
  readonly db: Db;
  readonly clickhouse: ClickHouseClient;
  readonly models: FaceModels;
  readonly dossiers: InProcessDossierPublisher;
  readonly logLevel: string;
  readonly registry: Registry;
  /** FindFace's 30 s of yellow unless given */
  readonly rules?: HealthRules;
  /** gives each camera's ingest the clip recorder's packet tap */
  readonly frameStore?: FrameStoreHooks;
}

/** How often every camera's status goes to camera_stats (besides each change of colour). */
const STATUS_EVERY_MS = 5_000;

/**
 * The embedded pipeline of topologies/serve.ts with the camera manager adding a source per camera: the sinks write
 * into the analytics store the API reads, the matcher holds what the in-process enrolment publisher holds.
 */
export async function startCameras(o: CamerasOptions): Promise<ServedCameras> {
  const { config } = o;
  const logger = pino({ level: o.logLevel, base: { component: 'cameras' } });
  setFfmpegLogging(logger.isLevelEnabled('debug')); // FFmpeg's own chatter only when debugging, as in `stage`
  const { openAnalytics } = await import('../pipelines/sink-clickhouse/open.ts');
  const analytics = await openAnalytics({ config, logger, writeThrough: false, db: o.db });
  const { openCounterDefinitions } = await import('../pipelines/counters/open.ts');
  const counters = await openCounterDefinitions({ config, logger, db: o.db });
  const { openDedupGroups } = await import('../pipelines/dedup/groups.ts');
  const dedupGroups = await openDedupGroups({ config, logger, db: o.db });
  const index = new LiveFaceIndex(createFaceIndex(watchListFromFaces([]), config.match.index));
  const watchListRules = new WatchListRules();
  const unsubscribe = syncIndexInProcess({ relayed: o.dossiers, index, rules: watchListRules, modelId: o.models.embedderId, logger });
  const settings = createCameraSettingsView(config);
  // the cameras' thresholds and groups for the match stage, from the camera outbox (no `cameras` topic here)
  const cameraSettings = await relayCameraSettings(settings, { db: o.db, logger });
  const graph: { run?: InProcessRun } = {};
  const reporter = startStatusReporter({
    healths: () => manager.healths(),
    write: (statuses) => writeCameraStatuses(o.clickhouse, statuses),
    worker: 'serve',
    everyMs: STATUS_EVERY_MS,
    clock: systemClock,
    logger,
  });
  const manager = new CameraManager({
    db: o.db,
    graph: { addSource: (name, deps, wrap) => graph.run!.addSource(name, o.frameStore ? o.frameStore.withPacketTap(deps) : deps, wrap) },
    config,
    settings,
    logger,
    clock: systemClock,
    registry: o.registry,
    onStatus: (camera, health) => reporter.changed(camera, health),
    ...(o.rules ? { rules: o.rules } : {}),
  });
  const counted = manager.taps();
  // observers added while the graph runs: each topic's list is read as a record passes
  const added = new Map<Topic, RecordTap[]>(Object.values(TOPICS).map((t) => [t, []]));
  const later = (topic: Topic): RecordTap => async (record) => {
    for (const observe of added.get(topic)!) await observe(record);
  };
  const taps: Partial<Record<Topic, Tap[]>> = Object.fromEntries(Object.values(TOPICS).map((t) => [t, [later(t)]]));
  taps.detections!.unshift(counted.detections);
  taps.faces!.unshift(counted.faces);
  graph.run = buildGraph(serveStages(config.viewtron), {
    deps: { config, models: o.models, index, watchListRules, cameraSettings: settings, analytics: { sink: analytics.sink, writeThrough: analytics.writeThrough }, counterDefinitions: counters, dedupGroups, clickhouse: analytics.store.client, notifier: notifierFor({ config, db: o.db, clickhouse: analytics.store.client }),
      // with frame_store.dir, ingest keeps each sampled frame as the events' evidence (the API's frame, crop and screenshot), as the Kafka stage does
      ...(config.frame_store.dir ? { frameStore: localFrameStore(config.frame_store.dir, config.frame_store.jpeg_quality) } : {}) },
    sourcesAdded: SERVE_PER_CAMERA,
    taps,
    logger,
    registry: o.registry,
    clock: systemClock,
    onDeadLetter: (letter) => manager.deadLetter(letter),
  });
  const running = graph.run.graph.run().catch((err: unknown) => logger.error({ err: (err as Error).message }, 'the camera pipeline stopped'));
  await manager.start();
  return {
    manager,
    tap: (topic, observer) => void added.get(topic)!.push(observer),
    async stop() {
      await manager.stop();
      graph.run!.graph.drain(); // what the cameras read still flows through; the stages flush
      await running;
      await reporter.stop();
      await cameraSettings.stop();
      unsubscribe();
      await counters.close();
      await dedupGroups.close();
      await analytics.close();
    },
  };
}

/** The Kafka `dossiers` topic when brokers are configured (its schemas in the registry), else subscribers in this process. */
async function dossierPublisher(config: FacestreamConfig, logger: pino.Logger): Promise<{ publisher: DossierPublisher; dossiers?: InProcessDossierPublisher }> {
  const { kafka } = config;
  if (kafka.brokers.length === 0) {
    const dossiers = createInProcessDossierPublisher();
    return { publisher: dossiers, dossiers };
  }
  if (!kafka.schema_registry_url) throw new UserError('KAFKA_BROKERS is set but SCHEMA_REGISTRY_URL is not: enrolments go to the `dossiers` topic with their schema in a registry');
  const serde = createTopicSerde({ registryUrl: kafka.schema_registry_url, topicPrefix: kafka.topic_prefix, logger, registerRetry: { attempts: kafka.max_retries + 1 } });
  await serde.registerAll();
  const client = createKafkaClient({ brokers: kafka.brokers, clientId: `${kafka.client_id}-serve`, logger });
  return { publisher: await startKafkaDossierPublisher({ kafka: client, serde, topicPrefix: kafka.topic_prefix }) };
}

function once(fn: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | null = null;
  return () => (running ??= fn());
}
