// confidence_threshold of watch lists, cameras and camera groups through fastify.inject() on PGlite: null (inherit)
// stays null and 0 stays 0 under the API's coercing validator (a union of number and null once stored null as 0).
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApi, testStores, type TestStores } from './testing.ts';

describe('API confidence_threshold', () => {
  let stores: TestStores;
  let app: FastifyInstance;
  beforeAll(async () => {
    stores = await testStores();
    app = await testApi({ db: stores.db });
  }, 60_000);
  afterAll(async () => {
    await app?.close();
    await stores?.close();
  });

  it.each([
    ['/watch-lists', { name: 'list' }],
    ['/camera-groups', { name: 'group' }],
    ['/cameras', { name: 'cam', url: 'rtsp://198.51.100.7/stream', active: false }],
  ])('%s: a threshold, null (inherit) and 0 are kept as sent, a value over 1 refused', async (path, body) => {
    const created = await app.inject({ method: 'POST', url: `/api/v1${path}`, payload: { ...body, confidence_threshold: 0.8 } });
    expect(created.statusCode, created.body).toBe(201);
    const id = created.json<{ id: number; confidence_threshold: number | null }>().id;
    const patch = async (confidence_threshold: unknown) => app.inject({ method: 'PATCH', url: `/api/v1${path}/${id}`, payload: { confidence_threshold } });
    expect((await patch(null)).json()).toMatchObject({ confidence_threshold: null });
    expect((await patch(0)).json()).toMatchObject({ confidence_threshold: 0 });
    expect((await patch(1.5)).statusCode).toBe(400);
  });
});
