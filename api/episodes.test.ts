// Episodes through the API on chdb: every filter against known episodes and events, cursor pages, one episode with
// its events, 404 and 400 naming the field, and what a reader with rights on one camera group sees.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAnalyticsWriter } from '../stores/clickhouse/writer.ts';
import { testChange, testEvent, type TestEventOptions } from '../stores/clickhouse/test-events.ts';
import { createCameraGroup } from '../stores/postgres/repositories/camera-groups.ts';
import { createRole, setCameraGroupAccess, setWatchListAccess } from '../stores/postgres/repositories/roles.ts';
import { UNMATCHED_WATCH_LIST_ID } from '../stores/postgres/rows.ts';
import { listedIds, testApi, testStores, testUser, type TestStores } from './testing.ts';

const S = 1000;
const HOUR = 3600 * S;
const T0 = Math.floor((Date.now() - 5 * HOUR) / HOUR) * HOUR;
const at = (s: number) => T0 + s * S;
const iso = (t: number) => new Date(t).toISOString();
// camera groups of the identity store: cam-a in g1, cam-b and cam-c in g2 (ids set in beforeAll)
let g1 = '';
let g2 = '';

// ep-1: Alice (vip) on cam-a, closed; ep-2: unmatched on cam-b, LIVE; ep-3: unmatched on cam-a, then Bob (staff) on
// cam-c, LIVE; ep-4: unmatched on cam-c, closed.
const EVENTS: TestEventOptions[] = [
  { id: 'e1', ts: at(10), camera: 'cam-a', dossier: 'alice', watchList: 'vip' },
  { id: 'e2', ts: at(20), camera: 'cam-a', dossier: 'alice', watchList: 'vip' },
  { id: 'e3', ts: at(100), camera: 'cam-b' },
  { id: 'e4', ts: at(200), camera: 'cam-a' },
  { id: 'e5', ts: at(210), camera: 'cam-c', dossier: 'bob', watchList: 'staff' },
  { id: 'e6', ts: at(300), camera: 'cam-c' },
];
const CHANGES = [
  testChange('open', 'ep-1', 'e1', { eventsCount: 1, startTs: at(10), endTs: at(10), dossier: 'alice', cameras: ['cam-a'] }),
  testChange('event', 'ep-1', 'e2', { eventsCount: 2, startTs: at(10), endTs: at(20), dossier: 'alice', cameras: ['cam-a'] }),
  testChange('close', 'ep-1', null, { eventsCount: 2, startTs: at(10), endTs: at(20), dossier: 'alice', cameras: ['cam-a'], bestEventId: 'e1' }),
  testChange('open', 'ep-2', 'e3', { eventsCount: 1, startTs: at(100), endTs: at(100), cameras: ['cam-b'] }),
  testChange('open', 'ep-3', 'e4', { eventsCount: 1, startTs: at(200), endTs: at(200), cameras: ['cam-a'] }),
  testChange('event', 'ep-3', 'e5', { eventsCount: 2, startTs: at(200), endTs: at(210), dossier: 'bob', cameras: ['cam-a', 'cam-c'] }),
  testChange('open', 'ep-4', 'e6', { eventsCount: 1, startTs: at(300), endTs: at(300), cameras: ['cam-c'] }),
  testChange('close', 'ep-4', null, { eventsCount: 1, startTs: at(300), endTs: at(300), cameras: ['cam-c'] }),
];

let stores: TestStores;
let app: FastifyInstance;

beforeAll(async () => {
  stores = await testStores();
  const { store, db } = stores;
  g1 = String((await createCameraGroup(db, { name: 'g1' })).id);
  g2 = String((await createCameraGroup(db, { name: 'g2' })).id);
  const writer = createAnalyticsWriter({ client: store.client, cameraGroupOf: (c) => (c === 'cam-a' ? g1 : g2) });
  await writer.writeEvents(EVENTS.map(testEvent));
  await writer.writeEpisodeChanges(CHANGES);
  app = await testApi({ db, clickhouse: store.client });
});
afterAll(async () => {
  await app?.close();
  await stores?.close();
});

const ids = (query: string) => listedIds(app, `/api/v1/episodes?${query}`);

describe('episodes', () => {
  it('every filter against known episodes', async () => {
    expect(await ids('')).toEqual(['ep-4', 'ep-3', 'ep-2', 'ep-1']);
    expect(await ids('ordering=created_date')).toEqual(['ep-1', 'ep-2', 'ep-3', 'ep-4']);
    expect(await ids(`created_date_gte=${iso(at(100))}&created_date_lt=${iso(at(300))}`)).toEqual(['ep-3', 'ep-2']);
    expect(await ids(`created_date_gt=${iso(at(100))}&created_date_lte=${iso(at(300))}`)).toEqual(['ep-4', 'ep-3']);
    expect(await ids('cameras=cam-c')).toEqual(['ep-4', 'ep-3']);
    expect(await ids('cameras=cam-a,cam-b')).toEqual(['ep-3', 'ep-2', 'ep-1']);
    expect(await ids(`camera_groups=${g1}`)).toEqual(['ep-3', 'ep-1']);
    expect(await ids(`camera_groups=${g2}`)).toEqual(['ep-4', 'ep-3', 'ep-2']);
    expect(await ids('matched_lists=vip')).toEqual(['ep-1']);
    expect(await ids('matched_lists=staff&matched_lists=vip')).toEqual(['ep-3', 'ep-1']);
    expect(await ids('matched_lists=-1')).toEqual(['ep-4', 'ep-2']);
    expect(await ids('matched=true')).toEqual(['ep-3', 'ep-1']);
    expect(await ids('no_match=true')).toEqual(['ep-4', 'ep-2']);
    expect(await ids('matched_dossier=bob')).toEqual(['ep-3']);
    expect(await ids('open=true')).toEqual(['ep-3', 'ep-2']);
    expect(await ids('open=false')).toEqual(['ep-4', 'ep-1']);
    expect(await ids('id=ep-2,ep-4')).toEqual(['ep-4', 'ep-2']);
    expect(await ids(`camera_groups=${g2}&open=false&created_date_gte=${iso(at(0))}`)).toEqual(['ep-4']);
    expect(await ids(`camera_groups=${g1}&created_date_gte=${iso(at(100))}`)).toEqual(['ep-3']);
  });

  it('the latest change wins; an episode in FindFace field names', async () => {
    const r = await app.inject({ method: 'GET', url: '/api/v1/episodes?id=ep-1,ep-3' });
    const [ep3, ep1] = JSON.parse(r.body).results as Record<string, unknown>[];
    expect(ep1).toEqual({
      id: 'ep-1',
      created_date: iso(at(10)),
      last_event_date: iso(at(20)),
      closed_date: iso(at(20)),
      open: false,
      events_count: 2,
      best_event: 'e1',
      last_event: 'e2',
      matched_event: 'e1',
      matched: true,
      matched_dossier: 'alice',
      matched_lists: ['vip'],
      cameras: ['cam-a'],
      camera_groups: [g1],
      acknowledged: false,
    });
    expect(ep3).toMatchObject({ open: true, closed_date: null, events_count: 2, last_event: 'e5', matched_event: 'e5', cameras: ['cam-a', 'cam-c'], camera_groups: [g1, g2].sort(), matched_lists: ['staff'] });
    const ep2 = JSON.parse((await app.inject({ method: 'GET', url: '/api/v1/episodes?id=ep-2' })).body).results[0];
    expect(ep2).toMatchObject({ matched: false, matched_dossier: null, matched_event: null, matched_lists: ['-1'] });
  });

  it('one episode with its events, oldest first; 404 for an unknown id', async () => {
    const r = await app.inject({ method: 'GET', url: '/api/v1/episodes/ep-3' });
    expect(r.statusCode, r.body).toBe(200);
    const ep = JSON.parse(r.body) as { id: string; events: { id: string; episode: string }[] };
    expect(ep.id).toBe('ep-3');
    expect(ep.events.map((e) => e.id)).toEqual(['e4', 'e5']);
    expect(ep.events.every((e) => e.episode === 'ep-3')).toBe(true);
    const missing = await app.inject({ method: 'GET', url: '/api/v1/episodes/nope' });
    expect(missing.statusCode).toBe(404);
    expect(JSON.parse(missing.body).error.code).toBe('FS_ERR_NOT_FOUND');
  });

  it('cursor pages cover every episode once', async () => {
    const seen: string[] = [];
    let page: string | null = null;
    do {
      const r = await app.inject({ method: 'GET', url: `/api/v1/episodes?limit=3&ordering=created_date${page ? `&page=${page}` : ''}` });
      const body = JSON.parse(r.body) as { results: { id: string }[]; next_page: string | null };
      seen.push(...body.results.map((e) => e.id));
      page = body.next_page;
    } while (page);
    expect(seen).toEqual(['ep-1', 'ep-2', 'ep-3', 'ep-4']);
  });

  it('a reader sees the episodes with an event of their camera groups and lists (FindFace\'s event rule)', async () => {
    const role = await createRole(stores.db, { name: 'episode-watchers', permissions: ['view_eventepisode'] });
    await setCameraGroupAccess(stores.db, role.id, Number(g2), 'view');
    await setWatchListAccess(stores.db, role.id, UNMATCHED_WATCH_LIST_ID, 'view');
    const { headers } = await testUser(stores.db, { role: role.id });
    const as = (url: string) => app.inject({ method: 'GET', url, headers });
    // g2 holds e3 (ep-2), e6 (ep-4), both unmatched, and e5 (ep-3), matched through a list the role cannot see
    expect((JSON.parse((await as('/api/v1/episodes')).body).results as { id: string }[]).map((e) => e.id)).toEqual(['ep-4', 'ep-2']);
    expect((await as('/api/v1/episodes/ep-1')).statusCode).toBe(404);
    expect((await as('/api/v1/episodes/ep-3')).statusCode).toBe(404);
    expect(JSON.parse((await as('/api/v1/episodes/ep-2')).body).events.map((e: { id: string }) => e.id)).toEqual(['e3']);
  });

  it('400 naming the field', async () => {
    for (const [query, field] of [
      ['created_date_gte=yesterday', 'created_date_gte'],
      ['open=maybe', 'open'],
      ['limit=0', 'limit'],
      ['page=%%%', 'page'],
      ['matched_lists=-1&matched=true', 'matched_lists'],
      ['ordering=events_count', 'ordering'],
    ] as const) {
      const r = await app.inject({ method: 'GET', url: `/api/v1/episodes?${query}` });
      expect(r.statusCode, query).toBe(400);
      expect(JSON.parse(r.body).error.field, query).toBe(field);
    }
  });
});
