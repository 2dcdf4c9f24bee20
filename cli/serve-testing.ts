// For tests of serve's cameras: both stores (chdb in a temporary directory, PGlite in memory), the project's face
// models, startCameras over them with the sinks writing into the store the API reads, and the API with the camera
// manager — what `serve` assembles, without a port. Production code never imports this file.
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { testApi, testFaces, testStores, type TestStores } from '../api/testing.ts';
import type { ApiDeps } from '../api/deps.ts';
import type { ApiConfig } from '../api/config.ts';
import { loadConfig, type DeepPartial } from '../config/load.ts';
import type { FacestreamConfig } from '../config/schema.ts';
import { createInProcessDossierPublisher } from '../enrolment/watchlist-sync/inproc-publisher.ts';
import type { FaceModels } from '../models/face-models.types.ts';
import type { FaceService } from '../api/photos/face-service.ts';
import { startFrameStoreHooks } from '../pipelines/clips/serve-hooks.ts';
import { startCameras, type CamerasOptions, type ServedCameras } from './serve.ts';

export interface CamerasHarness {
  readonly stores: TestStores;
  readonly models: FaceModels;
  readonly faces: FaceService;
  readonly config: Readonly<FacestreamConfig>;
  readonly cameras: ServedCameras;
  readonly app: FastifyInstance;
  /** the cameras' metrics */
  readonly metrics: Registry;
  /** an API call as the test administrator; anything but 2xx throws with the body */
  call<T>(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object): Promise<T>;
  /** closes the API, the cameras, the frame-store hooks, the models and the stores, in that order */
  close(): Promise<void>;
}

export interface CamerasHarnessOptions {
  /** over the defaults and the sinks' store (the sinks flush within 200 ms, ingest samples 4 fps) */
  readonly config?: DeepPartial<FacestreamConfig>;
  /** more for startCameras (enrolments, health rules) */
  readonly cameras?: Partial<Omit<CamerasOptions, 'config' | 'db' | 'clickhouse' | 'models' | 'registry'>>;
  /** serve's frame-store hooks (clips, sweeper) on the config's frame_store and clips, wired as serve wires them */
  readonly frameStore?: boolean;
  /** more for the API */
  readonly api?: { readonly config?: Partial<ApiConfig>; readonly deps?: Partial<Pick<ApiDeps, 'clipsDir' | 'framesDir'>> };
}

export async function startCamerasHarness(o: CamerasHarnessOptions = {}): Promise<CamerasHarness> {
  const stores = await testStores();
  const { models, faces } = await testFaces();
  const config = await loadConfig(undefined, {
    ...o.config,
    // the sinks write into the store the API reads (one chdb directory per process)
    stores: { ...o.config?.stores, clickhouse: { sink: { max_delay_ms: 200 }, ...o.config?.stores?.clickhouse, data_dir: stores.store.dataDir } },
    ingest: { fps: 4, ...o.config?.ingest },
  });
  const metrics = new Registry();
  const hooks = o.frameStore ? startFrameStoreHooks({ config, logger: pino({ level: 'silent' }), registry: metrics }) : undefined;
  const cameras = await startCameras({
    dossiers: createInProcessDossierPublisher(),
    logLevel: 'silent',
    ...o.cameras,
    config,
    db: stores.db,
    clickhouse: stores.store.client,
    models,
    registry: metrics,
    ...(hooks ? { frameStore: hooks } : {}),
  });
  hooks?.attach(cameras);
  const deps = { ...(hooks?.clipsDir ? { clipsDir: hooks.clipsDir } : {}), ...o.api?.deps, cameras: cameras.manager };
  const app = await testApi({ db: stores.db, clickhouse: stores.store.client, faces, config: { ...config.api, ...o.api?.config }, deps });
  return {
    stores,
    models,
    faces,
    config,
    cameras,
    app,
    metrics,
    async call<T>(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object): Promise<T> {
      const r = await app.inject({ method, url, ...(payload ? { payload } : {}) });
      if (r.statusCode >= 300) throw new Error(`${method} ${url}: ${r.statusCode} ${r.body}`);
      return (r.body === '' ? undefined : JSON.parse(r.body)) as T;
    },
    async close() {
      await app.close();
      await cameras.stop();
      await hooks?.stop();
      await models.close();
      await stores.close();
    },
  };
}

/** Polls `probe` every 100 ms until it returns something; fails after `ms`. */
export async function until<T>(what: string, probe: () => Promise<T | undefined>, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const got = await probe();
    if (got !== undefined) return got;
    if (Date.now() > end) throw new Error(`${what}: not after ${ms} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
