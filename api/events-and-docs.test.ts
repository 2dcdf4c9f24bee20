// Events through the API on chdb (FindFace's filters, cursor pages, 404), the operations routes, and the OpenAPI
// document covering every route the app serves.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEvent, type TestEventOptions } from '../stores/clickhouse/test-events.ts';
import { listedIds, testApi, testStores, type TestStores } from './testing.ts';

const S = 1000;
const HOUR = 3600 * S;
const T0 = Math.floor((Date.now() - 5 * HOUR) / HOUR) * HOUR;
const EVENTS: TestEventOptions[] = [
  { id: 'a1', ts: T0 + 10 * S, camera: 'cam-a', dossier: 'alice', watchList: 'vip', confidence: 0.9, quality: -0.5, attributes: { gender: { name: 'female', confidence: 0.9 }, age: 30 } },
  { id: 'a2', ts: T0 + 20 * S, camera: 'cam-a', confidence: 0.3, quality: -3, attributes: { gender: { name: 'male', confidence: 0.8 }, age: 50 } },
  { id: 'b1', ts: T0 + 30 * S, camera: 'cam-b', confidence: 0.1, quality: -2 },
  { id: 'b2', ts: T0 + 40 * S, camera: 'cam-b', dossier: 'bob', watchList: 'staff', confidence: 0.8, quality: -1 },
];
const iso = (t: number) => new Date(t).toISOString();

let stores: TestStores;
let app: FastifyInstance;

beforeAll(async () => {
  stores = await testStores({ events: EVENTS.map(testEvent), cameraGroupOf: (c) => (c === 'cam-a' ? 'g1' : 'g2') });
  app = await testApi({ db: stores.db, clickhouse: stores.store.client });
});
afterAll(async () => {
  await app?.close();
  await stores?.close();
});

const ids = (query: string) => listedIds(app, `/api/v1/events?${query}`);

describe('events', () => {
  it('FindFace filters', async () => {
    expect(await ids('')).toEqual(['b2', 'b1', 'a2', 'a1']);
    expect(await ids('ordering=created_date')).toEqual(['a1', 'a2', 'b1', 'b2']);
    expect(await ids(`created_date_gte=${iso(T0 + 20 * S)}&created_date_lt=${iso(T0 + 40 * S)}`)).toEqual(['b1', 'a2']);
    expect(await ids(`created_date_gt=${iso(T0 + 20 * S)}&created_date_lte=${iso(T0 + 40 * S)}`)).toEqual(['b2', 'b1']);
    expect(await ids('cameras=cam-a')).toEqual(['a2', 'a1']);
    expect(await ids('camera_groups=g2')).toEqual(['b2', 'b1']);
    expect(await ids('matched_lists=vip,staff')).toEqual(['b2', 'a1']);
    expect(await ids('matched_lists=-1')).toEqual(['b1', 'a2']);
    expect(await ids('no_match=true')).toEqual(['b1', 'a2']);
    expect(await ids('matched=true')).toEqual(['b2', 'a1']);
    expect(await ids('matched_dossier=alice&matched_dossier=bob')).toEqual(['b2', 'a1']);
    expect(await ids('f_gender_class=female')).toEqual(['a1']);
    expect(await ids('f_age_gte=40')).toEqual(['a2']);
    expect(await ids('quality_gte=-1.5')).toEqual(['b2', 'a1']);
    expect(await ids('confidence_gte=0.5&confidence_lte=0.85')).toEqual(['b2']);
    expect(await ids('acknowledged=false&id=a1,b1')).toEqual(['b1', 'a1']);
  });

  it('an event in FindFace field names; 404 for an unknown id', async () => {
    const e = JSON.parse((await app.inject({ method: 'GET', url: '/api/v1/events/a1' })).body);
    expect(e).toMatchObject({ id: 'a1', camera: 'cam-a', camera_group: 'g1', matched: true, matched_dossier: 'alice', matched_lists: ['vip'], created_date: iso(T0 + 10 * S), acknowledged: false });
    expect(e.features.gender).toEqual({ name: 'female', confidence: expect.closeTo(0.9, 5) });
    expect(JSON.parse((await app.inject({ method: 'GET', url: '/api/v1/events/a2' })).body).matched_lists).toEqual(['-1']);
    const missing = await app.inject({ method: 'GET', url: '/api/v1/events/nope' });
    expect(missing.statusCode).toBe(404);
  });

  it('cursor pages cover every event once', async () => {
    const seen: string[] = [];
    let page: string | null = null;
    do {
      const r = await app.inject({ method: 'GET', url: `/api/v1/events?limit=3${page ? `&page=${page}` : ''}` });
      const body = JSON.parse(r.body) as { results: { id: string }[]; next_page: string | null };
      seen.push(...body.results.map((e) => e.id));
      page = body.next_page;
    } while (page);
    expect(seen).toEqual(['b2', 'b1', 'a2', 'a1']);
  });

  it('400 naming the field', async () => {
    for (const [query, field] of [
      ['created_date_gte=yesterday', 'created_date_gte'],
      ['limit=5000', 'limit'],
      ['page=%%%', 'page'],
      ['matched_lists=-1,vip', 'matched_lists'],
      ['no_match=true&matched=true', 'no_match'],
      ['ordering=name', 'ordering'],
    ] as const) {
      const r = await app.inject({ method: 'GET', url: `/api/v1/events?${query}` });
      expect(r.statusCode, query).toBe(400);
      expect(JSON.parse(r.body).error.field, query).toBe(field);
    }
  });
});

describe('operations and the OpenAPI document', () => {
  it('healthz, readyz, metrics', async () => {
    expect(JSON.parse((await app.inject({ method: 'GET', url: '/healthz' })).body)).toEqual({ status: 'ok' });
    expect(JSON.parse((await app.inject({ method: 'GET', url: '/readyz' })).body)).toEqual({ status: 'ready', postgres: 'ok', clickhouse: 'ok' });
    const m = await app.inject({ method: 'GET', url: '/metrics' });
    expect(m.headers['content-type']).toMatch(/text\/plain/);
    expect(m.body).toMatch(/facestream_api_request_duration_seconds_bucket\{[^}]*route="\/api\/v1\/events"/);
  });

  it('covers every route, and serves Swagger UI', async () => {
    const doc = JSON.parse((await app.inject({ method: 'GET', url: '/openapi.json' })).body) as {
      openapi: string;
      paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: { properties: Record<string, { type?: string; format?: string }> } }> } }>>;
      components: { schemas: Record<string, unknown> };
    };
    expect(doc.openapi).toMatch(/^3\./);
    const documented = new Set(Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`)));
    // HEAD routes are Fastify's automatic mirrors of the GET ones
    const served = app.servedRoutes.filter((r) => !r.hidden && r.method !== 'HEAD').map((r) => `${r.method} ${r.url.replace(/:(\w+)/g, '{$1}')}`);
    expect(served.length).toBeGreaterThan(25);
    for (const route of served) expect(documented, route).toContain(route);
    expect([...documented].sort()).toEqual([...new Set(served)].sort());
    // shared schemas are components, multipart file fields are binary strings
    expect(Object.keys(doc.components.schemas)).toEqual(expect.arrayContaining(['Camera', 'WatchList', 'FaceEvent', 'ErrorBody']));
    const upload = doc.paths['/api/v1/dossier-faces']!['post']!.requestBody!.content['multipart/form-data']!.schema.properties['source_photo'];
    expect(upload).toMatchObject({ type: 'string', format: 'binary' });
    const ui = await app.inject({ method: 'GET', url: '/docs/' });
    expect(ui.statusCode).toBe(200);
    expect(ui.body).toMatch(/swagger/i);
  });
});
