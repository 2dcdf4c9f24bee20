// `facestream serve` with viewtron.enabled, on real stores (PGlite, chdb) and the project's face models: a Viewtron
// push of an enrolled person's photo goes through match, episodes and the sinks of serve's in-process pipeline and
// shows in GET /events matched, with what the device said about the face (face_events' device_* columns) beside our
// own attributes, and the push's full frame in the frame store as its evidence.
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { Registry } from 'prom-client';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { multipart, testApi, testFaces, testStores, type TestStores } from '../api/testing.ts';
import { startCameras, type ServedCameras } from '../cli/serve.ts';
import { loadConfig } from '../config/load.ts';
import { createInProcessDossierPublisher, type InProcessDossierPublisher } from '../enrolment/watchlist-sync/inproc-publisher.ts';
import { startOutboxRelay, type OutboxRelay } from '../enrolment/watchlist-sync/outbox-relay.ts';
import { freePorts } from '../infra/local-service/ports.ts';
import type { FaceModels } from '../models/face-models.types.ts';
import { readPhoto } from '../models/image/read-photo.ts';
import { subjectFace } from '../models/testing/deepface.ts';
import { SUCCESS_BODY } from '../pipelines/viewtron/index.ts';
import { push } from '../pipelines/viewtron/testing/client.ts';
import { b64, cameraCrop, nvrFacePush, pixelRect, sceneJpeg } from '../pipelines/viewtron/testing/pushes.ts';
import { FACE_PHOTO } from './paths.ts';

let stores: TestStores;
let models: FaceModels;
let dossiers: InProcessDossierPublisher;
let relay: OutboxRelay;
let cameras: ServedCameras;
let app: FastifyInstance;
let port: number;
let frames: string;

beforeAll(async () => {
  stores = await testStores();
  const faces = await testFaces();
  models = faces.models;
  [port] = (await freePorts(1)) as [number];
  frames = await mkdtemp(join(tmpdir(), 'fs-vt-serve-frames-'));
  const config = await loadConfig(undefined, {
    stores: { clickhouse: { data_dir: stores.store.dataDir, sink: { max_delay_ms: 200 } } },
    api: { allowed_networks: ['127.0.0.0/8'] },
    frame_store: { dir: frames },
    viewtron: { enabled: true, host: '127.0.0.1', port, camera_ids: { '00:11:22:33:44:66/3': 'back-door' } },
  });
  dossiers = createInProcessDossierPublisher();
  relay = await startOutboxRelay({ db: stores.db, publisher: dossiers, logger: pino({ level: 'silent' }), snapshotAtStart: true, pollMs: 200 });
  cameras = await startCameras({ config, db: stores.db, clickhouse: stores.store.client, models, dossiers, logLevel: 'silent', registry: new Registry() });
  app = await testApi({ db: stores.db, clickhouse: stores.store.client, faces: faces.faces, config: config.api, deps: { cameras: cameras.manager } });
}, 60_000);

afterAll(async () => {
  await app?.close();
  await cameras?.stop();
  await relay?.stop();
  await models?.close();
  await stores?.close();
  if (frames) await rm(frames, { recursive: true, force: true });
}, 30_000);

async function call<T>(method: 'GET' | 'POST', url: string, payload?: object): Promise<T> {
  const r = await app.inject({ method, url, ...(payload ? { payload } : {}) });
  if (r.statusCode >= 300) throw new Error(`${method} ${url}: ${r.statusCode} ${r.body}`);
  return JSON.parse(r.body) as T;
}

interface ListedEvent {
  camera: string;
  matched_dossier: string | null;
  episode: string | null;
  frame: { ref: string | null };
  features: { gender: unknown };
  device?: unknown;
}

describe('serve receives Viewtron pushes (viewtron.enabled)', () => {
  it('a pushed photo of an enrolled person: a matched event in GET /events, on the mapped camera, in an episode', async () => {
    // master.csv: img20 and img21 are the same person
    const list = await call<{ id: number }>('POST', '/api/v1/watch-lists', { name: 'staff' });
    const person = await call<{ id: number }>('POST', '/api/v1/dossiers', { name: 'person-a', watch_list_ids: [list.id] });
    const enrolled = await app.inject({
      method: 'POST',
      url: '/api/v1/dossier-faces',
      ...multipart([{ name: 'dossier', value: String(person.id) }, { name: 'source_photo', filename: 'img20.jpg', type: 'image/jpeg', value: readFileSync(FACE_PHOTO('img20.jpg')) }]),
    });
    expect(enrolled.statusCode, enrolled.body).toBe(201);
    await vi.waitFor(() => expect(dossiers.size).toBeGreaterThan(0), { timeout: 20_000, interval: 100 });

    const photo = await readPhoto(FACE_PHOTO('img21.jpg'));
    const box = subjectFace(await models.detect(photo))!.box;
    const rect = pixelRect(box);
    const body = nvrFacePush({
      // now (µs): an event months old would be past the analytics store's retention
      currentTime: `${Date.now()}000`,
      scene: b64(await sceneJpeg(photo)),
      sceneSize: photo,
      faces: [{ targetId: 12, rect, crop: b64(await cameraCrop(photo, box)), attributes: { age: 'middleAged', sex: 'female', glasses: 'no', mask: 'no' } }],
    });
    expect(await push(port, body)).toMatchObject({ status: 200, body: SUCCESS_BODY });

    const [event] = await vi.waitFor(
      async () => {
        const { results } = await call<{ results: ListedEvent[] }>('GET', '/api/v1/events?matched=true');
        expect(results).toHaveLength(1);
        expect(results[0]!.episode).not.toBeNull();
        return results;
      },
      { timeout: 40_000, interval: 200 },
    );
    expect(event).toMatchObject({ camera: 'back-door', matched_dossier: String(person.id) });
    // what the camera said, beside our own attributes read from the same face
    expect(event!.device).toEqual({ vendor: 'viewtron', event_type: 'videoFaceDetect', device_name: 'Main NVR', target_id: '12', age: 'middleAged', sex: 'female', glasses: 'no', mask: 'no' });
    expect(event!.features.gender).not.toBeNull();
    // the push's full frame is the event's evidence, in the frame store
    expect(event!.frame.ref).toMatch(/^back-door\//);
    expect(existsSync(join(frames, event!.frame.ref!))).toBe(true);
  }, 90_000);
});
