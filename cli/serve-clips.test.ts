// Episode clips in serve, end to end on real stores (PGlite, chdb) and the face models: a file camera added through
// the API plays the padded clip (pipelines/clips/testing/media.ts); its episode closes when the file ends, and
// GET /episodes/{id}/clip serves an H.264 MP4 written under <frame_store.dir>/clips by the frame store hooks.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { Registry } from 'prom-client';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApi, testFaces, testStores, type TestStores } from '../api/testing.ts';
import { loadConfig } from '../config/load.ts';
import { createInProcessDossierPublisher } from '../enrolment/watchlist-sync/inproc-publisher.ts';
import type { FaceModels } from '../models/face-models.types.ts';
import { startFrameStoreHooks, type FrameStoreHooks } from '../pipelines/clips/serve-hooks.ts';
import { paddedClip, probeFile, probePackets } from '../pipelines/clips/testing/media.ts';
import { startCameras, type ServedCameras } from './serve.ts';

let stores: TestStores;
let models: FaceModels;
let hooks: FrameStoreHooks;
let cameras: ServedCameras;
let app: FastifyInstance;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fs-serve-clips-'));
  stores = await testStores();
  const faces = await testFaces();
  models = faces.models;
  const config = await loadConfig(undefined, {
    stores: { clickhouse: { data_dir: stores.store.dataDir, sink: { max_delay_ms: 200 } } },
    ingest: { fps: 4 },
    frame_store: { dir },
    clips: { enabled: true, pre_roll: 2, post_roll: 1.5 },
  });
  hooks = startFrameStoreHooks({ config, logger: pino({ level: 'silent' }) });
  cameras = await startCameras({ config, db: stores.db, clickhouse: stores.store.client, models, dossiers: createInProcessDossierPublisher(), logLevel: 'silent', registry: new Registry(), frameStore: hooks });
  hooks.attach(cameras);
  app = await testApi({ db: stores.db, clickhouse: stores.store.client, faces: faces.faces, deps: { cameras: cameras.manager, ...(hooks.clipsDir ? { clipsDir: hooks.clipsDir } : {}) } });
}, 90_000);

afterAll(async () => {
  await app?.close();
  await cameras?.stop();
  await hooks?.stop();
  await models?.close();
  await stores?.close();
}, 30_000);

/** Polls `probe` until it returns something, or fails after `ms`. */
async function until<T>(what: string, probe: () => Promise<T | undefined>, ms: number): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const got = await probe();
    if (got !== undefined) return got;
    if (Date.now() > end) throw new Error(`${what}: not after ${ms} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('serve records episode clips', () => {
  it('a file camera’s closed episode has its clip at GET /episodes/{id}/clip', async () => {
    const source = await paddedClip(dir);
    const created = await app.inject({ method: 'POST', url: '/api/v1/cameras', payload: { name: 'lobby', url: `file://${source}` } });
    expect(created.statusCode, created.body).toBe(201);
    const camera = String((JSON.parse(created.body) as { id: number }).id);
    const episode = await until('a closed episode', async () => {
      const r = await app.inject({ method: 'GET', url: `/api/v1/episodes?cameras=${camera}&open=false` });
      return (JSON.parse(r.body) as { results: { id: string }[] }).results[0];
    }, 45_000);
    // the clip is renamed into place once the recorder has written its index
    const clip = await until('the clip', async () => {
      const r = await app.inject({ method: 'GET', url: `/api/v1/episodes/${episode.id}/clip` });
      return r.statusCode === 200 ? r : undefined;
    }, 10_000);
    expect(clip.headers['content-type']).toBe('video/mp4');
    const file = join(dir, 'served.mp4');
    await writeFile(file, clip.rawPayload);
    const probed = await probeFile(file);
    expect(probed.stream['codec_name']).toBe('h264');
    expect(probed.durationS).toBeGreaterThan(3);
    expect((await probePackets(file))[0]).toMatchObject({ pts: 0, keyframe: true });
  }, 60_000);
});
