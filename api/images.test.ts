// The images behind the JSON objects (api/routes/images.ts): an event's full frame and face crop, a camera's latest
// kept frame, a dossier face's photo — from a frame store in a temporary directory, on PGlite and chdb, with the
// rights of the JSON routes (what a user may not see is 404) and a 404 that says why when an image is not kept.
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deepfacePath } from '../models/testing/deepface.ts';
import type { FaceModels } from '../models/face-models.types.ts';
import { readPhoto } from '../models/image/read-photo.ts';
import type { FaceEvent } from '../schemas/records.ts';
import { localFrameStore } from '../stores/frames/local-frame-store.ts';
import { testEvent } from '../stores/clickhouse/test-events.ts';
import { createCameraGroup } from '../stores/postgres/repositories/camera-groups.ts';
import { createDossier } from '../stores/postgres/repositories/dossiers.ts';
import { createRole, setCameraGroupAccess, setWatchListAccess } from '../stores/postgres/repositories/roles.ts';
import { createWatchList } from '../stores/postgres/repositories/watch-lists.ts';
import { UNMATCHED_WATCH_LIST_ID } from '../stores/postgres/rows.ts';
import { multipart, testApi, testFaces, testStores, testUser, type TestStores } from './testing.ts';

const NOW = Date.now();

/** An event of `camera` whose face is `box` of a frame kept at `frameRef` (or of none). */
function eventWithFrame(id: string, camera: string, frame: { ref?: string; width: number; height: number }, box: { x1: number; y1: number; x2: number; y2: number }): FaceEvent {
  const e = testEvent({ id, ts: NOW - 60_000, camera });
  const post = e.embedding.post;
  return {
    ...e,
    embedding: {
      ...e.embedding,
      post: {
        ...post,
        face: { ...post.face, box },
        frame: { ...post.frame, width: frame.width, height: frame.height, ...(frame.ref ? { frameRef: frame.ref } : {}) },
      },
    },
  };
}

const size = async (body: Buffer) => {
  const m = await sharp(body).metadata();
  return { format: m.format, width: m.width, height: m.height };
};

describe('image routes', () => {
  let framesDir: string;
  let stores: TestStores;
  let models: FaceModels;
  let app: FastifyInstance;
  let camera = 0;
  let frame = { width: 0, height: 0 };

  beforeAll(async () => {
    framesDir = await mkdtemp(join(tmpdir(), 'fs-images-'));
    const frames = localFrameStore(framesDir);
    const photo = await readPhoto(deepfacePath('img12.jpg'));
    frame = { width: photo.width, height: photo.height };
    const ref = await frames.put('cam-a', 7, NOW - 60_000, photo);
    const box = { x1: frame.width * 0.4, y1: frame.height * 0.4, x2: frame.width * 0.6, y2: frame.height * 0.6 };
    stores = await testStores({
      events: [
        eventWithFrame('ev-kept', 'cam-a', { ref, ...frame }, box),
        eventWithFrame('ev-unkept', 'cam-a', frame, box),
        eventWithFrame('ev-gone', 'cam-a', { ref: 'cam-a/2020-01-01-00/1.jpg', ...frame }, box),
        eventWithFrame('ev-elsewhere', 'cam-b', { ref, ...frame }, box),
      ],
      cameraGroupOf: (c) => (c === 'cam-a' ? '1' : '2'),
    });
    const loaded = await testFaces();
    models = loaded.models;
    await createCameraGroup(stores.db, { name: 'lobby' }); // 1
    await createCameraGroup(stores.db, { name: 'yard' }); // 2
    app = await testApi({ db: stores.db, clickhouse: stores.store.client, faces: loaded.faces, deps: { framesDir } });
    const created = await app.inject({ method: 'POST', url: '/api/v1/cameras', payload: { name: 'door', url: 'rtsp://203.0.113.5/door', camera_group_id: 1 } });
    camera = (JSON.parse(created.body) as { id: number }).id;
    // two frames of the camera in one hour: the later seq is the screenshot (12 after 3, not before it as text)
    await frames.put(String(camera), 3, NOW, { width: 8, height: 4, data: new Uint8Array(8 * 4 * 3) });
    await frames.put(String(camera), 12, NOW, { width: 16, height: 8, data: new Uint8Array(16 * 8 * 3) });
  }, 120_000);
  afterAll(async () => {
    await app?.close();
    await models?.close();
    await stores?.close();
    await rm(framesDir, { recursive: true, force: true });
  });

  it("an event carries its images' URLs; the full frame and the face crop with half the box's size around it are JPEGs cached privately", async () => {
    const event = JSON.parse((await app.inject({ method: 'GET', url: '/api/v1/events/ev-kept' })).body) as Record<string, unknown>;
    expect(event).toMatchObject({ thumbnail: '/api/v1/events/ev-kept/thumbnail.jpg', fullframe: '/api/v1/events/ev-kept/frame.jpg' });
    const full = await app.inject({ method: 'GET', url: event['fullframe'] as string });
    expect(full.statusCode).toBe(200);
    expect(full.headers['content-type']).toBe('image/jpeg');
    expect(full.headers['cache-control']).toMatch(/^private, max-age=\d+$/);
    expect(await size(full.rawPayload)).toEqual({ format: 'jpeg', ...frame });
    const crop = await app.inject({ method: 'GET', url: event['thumbnail'] as string });
    expect(crop.statusCode).toBe(200);
    const { width = 0, height = 0 } = await size(crop.rawPayload);
    expect(Math.abs(width - frame.width * 0.4)).toBeLessThanOrEqual(2);
    expect(Math.abs(height - frame.height * 0.4)).toBeLessThanOrEqual(2);
  });

  it('an image not kept is 404 saying why; an event without a kept frame has no image URLs', async () => {
    expect(JSON.parse((await app.inject({ method: 'GET', url: '/api/v1/events/ev-unkept' })).body)).toMatchObject({ thumbnail: null, fullframe: null });
    const unkept = JSON.parse((await app.inject({ method: 'GET', url: '/api/v1/events/ev-unkept/frame.jpg' })).body) as { error: { code: string; reason: string; message: string } };
    expect(unkept.error).toMatchObject({ code: 'FS_ERR_NOT_FOUND', reason: 'image_not_kept' });
    expect(unkept.error.message).toMatch(/not kept/);
    const gone = await app.inject({ method: 'GET', url: '/api/v1/events/ev-gone/thumbnail.jpg' });
    expect(gone.statusCode).toBe(404);
    expect(gone.body).toMatch(/retention_hours/);
    expect((await app.inject({ method: 'GET', url: '/api/v1/events/nope/frame.jpg' })).statusCode).toBe(404);
  });

  it("a camera's screenshot is its latest kept frame; a camera with none is 404", async () => {
    const cam = JSON.parse((await app.inject({ method: 'GET', url: `/api/v1/cameras/${camera}` })).body) as { screenshot: string };
    expect(cam.screenshot).toBe(`/api/v1/cameras/${camera}/screenshot.jpg`);
    const shot = await app.inject({ method: 'GET', url: cam.screenshot });
    expect(shot.statusCode).toBe(200);
    expect(await size(shot.rawPayload)).toEqual({ format: 'jpeg', width: 16, height: 8 });
    const other = await app.inject({ method: 'POST', url: '/api/v1/cameras', payload: { name: 'dark', url: 'rtsp://203.0.113.5/dark', camera_group_id: 1 } });
    const none = await app.inject({ method: 'GET', url: `/api/v1/cameras/${(JSON.parse(other.body) as { id: number }).id}/screenshot.jpg` });
    expect(none.statusCode).toBe(404);
    expect(none.body).toMatch(/screenshot of camera/);
  });

  it("a dossier face shows its photo cut around the face: an upload is kept, an event's frame is reused; deleting the face drops the upload", async () => {
    const list = await createWatchList(stores.db, { name: 'staff' });
    const dossier = await createDossier(stores.db, { name: 'Ann', watch_list_ids: [list.id] });
    const upload = await app.inject({
      method: 'POST',
      url: '/api/v1/dossier-faces',
      ...multipart([{ name: 'dossier', value: String(dossier.id) }, { name: 'source_photo', filename: 'img3.jpg', type: 'image/jpeg', value: readFileSync(deepfacePath('img3.jpg')) }]),
    });
    expect(upload.statusCode, upload.body).toBe(201);
    const face = JSON.parse(upload.body) as { id: number; thumbnail: string; bbox: { left: number; right: number } };
    expect(face.thumbnail).toBe(`/api/v1/dossier-faces/${face.id}/thumbnail.jpg`);
    const photo = await app.inject({ method: 'GET', url: face.thumbnail });
    expect(photo.statusCode).toBe(200);
    const { width = 0 } = await size(photo.rawPayload);
    expect(width).toBeGreaterThanOrEqual(face.bbox.right - face.bbox.left);
    expect((await app.inject({ method: 'DELETE', url: `/api/v1/dossier-faces/${face.id}` })).statusCode).toBe(204);
    expect((await app.inject({ method: 'GET', url: face.thumbnail })).statusCode).toBe(404);
  });

  it('rights as the JSON routes: an event or camera of a camera group the user does not see is 404', async () => {
    const role = await createRole(stores.db, { name: 'lobby viewers', permissions: ['view_listevent', 'view_camera'] });
    await setCameraGroupAccess(stores.db, role.id, 1, 'view');
    await setWatchListAccess(stores.db, role.id, UNMATCHED_WATCH_LIST_ID, 'view');
    const { headers } = await testUser(stores.db, { role: role.id });
    expect((await app.inject({ method: 'GET', url: '/api/v1/events/ev-kept/thumbnail.jpg', headers })).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/api/v1/events/ev-elsewhere/thumbnail.jpg', headers })).statusCode).toBe(404);
    expect((await app.inject({ method: 'GET', url: `/api/v1/cameras/${camera}/screenshot.jpg`, headers })).statusCode).toBe(200);
    const blind = await createRole(stores.db, { name: 'no groups', permissions: ['view_listevent', 'view_camera'] });
    const other = await testUser(stores.db, { role: blind.id });
    expect((await app.inject({ method: 'GET', url: `/api/v1/cameras/${camera}/screenshot.jpg`, headers: other.headers })).statusCode).toBe(404);
    expect((await app.inject({ method: 'GET', url: '/api/v1/events/ev-kept/frame.jpg', headers: other.headers })).statusCode).toBe(404);
  });
});
