// `facestream serve`: the API on one box. Reads like a checklist: configuration → identity store (PGlite in
// <data-dir>/postgres, or DATABASE_URL) → the first administrator when there is no user → the relay of enrolments to
// matchers (the Kafka `dossiers` topic with KAFKA_BROKERS, else in process) → analytics store (chdb in <data-dir>/clickhouse, or CLICKHOUSE_URL) →
// face models → API → listen. Shutdown (SIGTERM/SIGINT) closes them in reverse order; a second signal leaves at once.
// The embedded stages (ingest … sink) are not run here yet (the live-cameras work); until then the in-process
// enrolment publisher keeps every face a matcher must hold, for them to subscribe to.
import { join } from 'node:path';
import { pino } from 'pino';
import { loadConfig } from '../config/load.ts';
import { buildApi } from '../api/app.ts';
import { ensureFirstAdmin } from '../api/auth/bootstrap.ts';
import type { ApiConfig } from '../api/config.ts';
import { createFaceService } from '../api/photos/face-service.ts';
import { loadFaceModels } from '../models/face-models.ts';
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

    const models = await loadFaceModels({
      ...(config.model_manifest ? { manifestPath: config.model_manifest } : {}),
      detect: config.detect,
      // the heads /detect reports (the face service asks for the same ones)
      attributes: config.attributes,
      intraOpThreads: config.runtime.intra_op_threads,
      embedBatchSize: config.embed.batch_size,
    });
    closers.push(['the face models', () => models.close()]);

    const app = await buildApi(
      {
        db,
        clickhouse: ch.client,
        faces: createFaceService({ models, confidenceThreshold: config.match.confidence_threshold, attributes: config.attributes }),
        enrol: config.enrol,
        logger: { level: opts.logLevel },
      },
      api,
    );
    closers.push(['the API', () => app.close()]);
    const url = await app.listen({ host: api.host, port: api.port });
    opts.say(`API listening on ${url} (OpenAPI at ${url}/openapi.json${api.docs ? `, Swagger UI at ${url}/docs` : ''})`);
    return { url, stop, ...(dossiers ? { dossiers } : {}) };
  } catch (err) {
    await stop();
    throw err;
  }
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
