// /api/v1/settings through fastify.inject() on PGlite: the runtime settings in effect (the configured default until
// set), changed and set back, refused out of range or unknown, and the rights to read and change them. With them the
// other nullable numbers a console sets back to a default, confidence_threshold of watch lists, cameras and camera
// groups: null (inherit) stays null and 0 stays 0 under the API's coercing validator (a union once stored null as 0).
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config/load.ts';
import { testApi, testStores, testUser, type TestStores } from './testing.ts';

describe('API settings and nullable thresholds', () => {
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
  const settings = (method: 'GET' | 'PATCH', payload?: object, headers?: Record<string, string>) =>
    app.inject({ method, url: '/api/v1/settings', ...(payload ? { payload } : {}), ...(headers ? { headers } : {}) });

  it('answers the configured default until set, the stored value after, the default again after null', async () => {
    const configured = (await loadConfig(undefined)).enrol.minimum_dossier_quality;
    expect((await settings('GET')).json()).toEqual({ minimum_dossier_quality: configured });
    const changed = await settings('PATCH', { minimum_dossier_quality: 0.5 });
    expect(changed.statusCode, changed.body).toBe(200);
    expect(changed.json()).toEqual({ minimum_dossier_quality: 0.5 });
    expect((await settings('GET')).json()).toEqual({ minimum_dossier_quality: 0.5 });
    // 0 is a value, null is "the default": neither read as the other
    expect((await settings('PATCH', { minimum_dossier_quality: 0 })).json()).toEqual({ minimum_dossier_quality: 0 });
    expect((await settings('PATCH', { minimum_dossier_quality: null })).json()).toEqual({ minimum_dossier_quality: configured });
  });

  it('refuses a value out of range, an unknown setting and an empty change, naming the field', async () => {
    const high = await settings('PATCH', { minimum_dossier_quality: 2 });
    expect(high.statusCode).toBe(400);
    expect(high.body).toMatch(/minimum_dossier_quality/);
    const unknown = await settings('PATCH', { confidence_threshold: 0.7 });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.body).toMatch(/confidence_threshold/);
    expect((await settings('PATCH', {})).statusCode).toBe(400);
  });

  it('is read with view_runtimesetting (operator) and changed with change_runtimesetting (not the operator); a viewer has neither', async () => {
    const operator = await testUser(stores.db, { role: 'operator' });
    expect((await settings('GET', undefined, operator.headers)).statusCode).toBe(200);
    expect((await settings('PATCH', { minimum_dossier_quality: 0 }, operator.headers)).statusCode).toBe(403);
    const viewer = await testUser(stores.db, { role: 'viewer' });
    expect((await settings('GET', undefined, viewer.headers)).statusCode).toBe(403);
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
