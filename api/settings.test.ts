// /api/v1/settings through fastify.inject() on PGlite: the runtime settings in effect (the configured default until
// set), changed and set back, refused out of range or unknown, and the rights to read and change them.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config/load.ts';
import { testApi, testStores, testUser, type TestStores } from './testing.ts';

describe('API settings', () => {
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
});
