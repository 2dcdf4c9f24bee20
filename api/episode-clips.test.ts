// GET /api/v1/episodes/{id}/clip on chdb: the MP4 of a camera of the episode from the clips folder, the camera
// chosen by ?camera=, byte ranges, 404 for an episode without a clip, an unknown episode, or one the reader may not see.
import { copyFile, mkdir, mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAnalyticsWriter } from '../stores/clickhouse/writer.ts';
import { testChange, testEvent } from '../stores/clickhouse/test-events.ts';
import { clipPath } from '../stores/frames/layout.ts';
import { createRole } from '../stores/postgres/repositories/roles.ts';
import { DEMO_CLIP, VIDEO } from '../test/paths.ts';
import { testApi, testStores, testUser, type TestStores } from './testing.ts';

const T0 = Date.now() - 3_600_000;
let stores: TestStores;
let app: FastifyInstance;
let clips: string;

beforeAll(async () => {
  stores = await testStores();
  const writer = createAnalyticsWriter({ client: stores.store.client, cameraGroupOf: () => '1' });
  await writer.writeEvents([testEvent({ id: 'c1', ts: T0, camera: 'gate 1' }), testEvent({ id: 'c2', ts: T0 + 5000, camera: 'door/2' }), testEvent({ id: 'c3', ts: T0, camera: 'gate 1' })]);
  await writer.writeEpisodeChanges([
    testChange('open', 'ep-clip', 'c1', { eventsCount: 1, startTs: T0, endTs: T0, cameras: ['gate 1'] }),
    testChange('event', 'ep-clip', 'c2', { eventsCount: 2, startTs: T0, endTs: T0 + 5000, cameras: ['gate 1', 'door/2'] }),
    testChange('open', 'ep-none', 'c3', { eventsCount: 1, startTs: T0, endTs: T0, cameras: ['gate 1'] }),
  ]);
  clips = await mkdtemp(join(tmpdir(), 'fs-api-clips-'));
  for (const [camera, file] of [['gate 1', DEMO_CLIP], ['door/2', VIDEO('classroom.mp4')]] as const) {
    const path = clipPath(clips, camera, 'ep-clip');
    await mkdir(dirname(path), { recursive: true });
    await copyFile(file, path);
  }
  app = await testApi({ db: stores.db, clickhouse: stores.store.client, deps: { clipsDir: clips } });
});
afterAll(async () => {
  await app?.close();
  await stores?.close();
});

describe('GET /episodes/{id}/clip', () => {
  it('serves the MP4 of the camera asked for, else of the first of the episode’s cameras with a clip', async () => {
    const files: Record<string, string> = { 'gate 1': DEMO_CLIP, 'door/2': VIDEO('classroom.mp4') };
    const cameras = JSON.parse((await app.inject({ method: 'GET', url: '/api/v1/episodes/ep-clip' })).body).cameras as string[];
    expect(cameras.sort()).toEqual(Object.keys(files).sort());
    for (const [query, camera] of [['', cameras[0]!], ...Object.keys(files).map((c) => [`?camera=${encodeURIComponent(c)}`, c] as const)] as const) {
      const r = await app.inject({ method: 'GET', url: `/api/v1/episodes/ep-clip/clip${query}` });
      expect(r.statusCode, r.body).toBe(200);
      expect(r.headers['content-type']).toBe('video/mp4');
      const want = await readFile(files[camera]!);
      expect(Number(r.headers['content-length'])).toBe(want.length);
      expect(r.rawPayload.equals(want), query).toBe(true);
    }
  });

  it('answers Range requests as players seek: 206 with the part asked for, 416 beyond the end', async () => {
    const whole = await readFile(DEMO_CLIP);
    const url = `/api/v1/episodes/ep-clip/clip?camera=${encodeURIComponent('gate 1')}`;
    expect((await app.inject({ method: 'GET', url })).headers['accept-ranges']).toBe('bytes');
    const part = await app.inject({ method: 'GET', url, headers: { range: 'bytes=100-1123' } });
    expect(part.statusCode).toBe(206);
    expect(part.headers['content-type']).toBe('video/mp4');
    expect(part.headers['content-range']).toBe(`bytes 100-1123/${whole.length}`);
    expect(part.rawPayload.equals(whole.subarray(100, 1124))).toBe(true);
    const tail = await app.inject({ method: 'GET', url, headers: { range: 'bytes=-500' } });
    expect(tail.rawPayload.equals(whole.subarray(whole.length - 500))).toBe(true);
    const beyond = await app.inject({ method: 'GET', url, headers: { range: `bytes=${whole.length + 10}-` } });
    expect(beyond.statusCode).toBe(416);
    expect(beyond.headers['content-range']).toBe(`bytes */${whole.length}`);
    expect(JSON.parse(beyond.body).error).toMatchObject({ code: 'FS_ERR_RANGE_NOT_SATISFIABLE', field: 'range' });
  });

  it('404 without a clip, for an unknown episode or camera, and for an episode the reader may not see', async () => {
    for (const url of ['/api/v1/episodes/ep-none/clip', '/api/v1/episodes/nope/clip', '/api/v1/episodes/ep-clip/clip?camera=elsewhere']) {
      const r = await app.inject({ method: 'GET', url });
      expect(r.statusCode, url).toBe(404);
      expect(JSON.parse(r.body).error.code).toBe('FS_ERR_NOT_FOUND');
    }
    const role = await createRole(stores.db, { name: 'clip-watchers-without-cameras', permissions: ['view_eventepisode'] });
    const { headers } = await testUser(stores.db, { role: role.id });
    expect((await app.inject({ method: 'GET', url: '/api/v1/episodes/ep-clip/clip', headers })).statusCode).toBe(404);
  });
});

describe('without a clips folder', () => {
  it('every clip is 404', async () => {
    const bare = await testApi({ db: stores.db, clickhouse: stores.store.client });
    try {
      expect((await bare.inject({ method: 'GET', url: '/api/v1/episodes/ep-clip/clip' })).statusCode).toBe(404);
    } finally {
      await bare.close();
    }
  });
});
