// Statistics (the event_stats_* materialized views) and acknowledgement through the API on chdb: counts per
// minute, hour and day against known rows; acknowledge one, many by id, all by filter, and back; statistics do not
// change when events are acknowledged.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEvent, type TestEventOptions } from '../stores/clickhouse/test-events.ts';
import { createAnalyticsWriter } from '../stores/clickhouse/writer.ts';
import { createCameraGroup } from '../stores/postgres/repositories/camera-groups.ts';
import { createCamera } from '../stores/postgres/repositories/cameras.ts';
import { createDossier } from '../stores/postgres/repositories/dossiers.ts';
import { createWatchList } from '../stores/postgres/repositories/watch-lists.ts';
import { createRole, setCameraGroupAccess, setWatchListAccess } from '../stores/postgres/repositories/roles.ts';
import { UNMATCHED_WATCH_LIST_ID } from '../stores/postgres/rows.ts';
import { testApi, testStores, testUser, type TestStores } from './testing.ts';

const S = 1000;
const MIN = 60 * S;
const HOUR = 60 * MIN;
const T0 = Math.floor((Date.now() - 5 * HOUR) / HOUR) * HOUR;
const iso = (t: number) => new Date(t).toISOString();
const EVENTS: TestEventOptions[] = [
  { id: 's1', ts: T0 + 10 * S, camera: 'cam-a', dossier: 'alice', watchList: 'vip', confidence: 0.9 },
  { id: 's2', ts: T0 + 30 * S, camera: 'cam-a', confidence: 0.2 },
  { id: 's3', ts: T0 + 70 * S, camera: 'cam-a', confidence: 0.1 },
  { id: 's4', ts: T0 + HOUR + 5 * S, camera: 'cam-b', dossier: 'bob', watchList: 'staff', confidence: 0.8 },
];

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

type Row = { bucket: string; value: string; events: number; matched: number; unmatched: number; tracks: number; max_confidence: number };
async function stats(query: string): Promise<Omit<Row, 'max_confidence'>[]> {
  const r = await app.inject({ method: 'GET', url: `/api/v1/statistics?${query}` });
  expect(r.statusCode, r.body).toBe(200);
  return (JSON.parse(r.body).results as Row[]).map(({ max_confidence: _m, ...rest }) => rest);
}
const row = (bucket: number, value: string, events: number, matched: number) => ({ bucket: iso(bucket), value, events, matched, unmatched: events - matched, tracks: events });

async function expectedCounts(): Promise<void> {
  expect(await stats('interval=minute&group_by=camera')).toEqual([row(T0, 'cam-a', 2, 1), row(T0 + MIN, 'cam-a', 1, 0), row(T0 + HOUR, 'cam-b', 1, 1)]);
  expect(await stats('group_by=camera_group')).toEqual([row(T0, 'g1', 3, 1), row(T0 + HOUR, 'g2', 1, 1)]);
  expect(await stats('interval=hour&group_by=dossier')).toEqual([row(T0, 'alice', 1, 1), row(T0 + HOUR, 'bob', 1, 1)]);
}

describe('statistics', () => {
  it('counts per minute, hour and day by camera, camera group, watch list and dossier', async () => {
    await expectedCounts();
    const day = Math.floor(T0 / (24 * HOUR)) * 24 * HOUR;
    expect(await stats('interval=day&group_by=watch_list&values=vip')).toEqual([row(day, 'vip', 1, 1)]);
    const byDay = await stats('interval=day&group_by=camera');
    expect(byDay.reduce((n, r) => n + r.events, 0)).toBe(4);
    const r = await app.inject({ method: 'GET', url: '/api/v1/statistics?group_by=camera&values=cam-a' });
    expect(JSON.parse(r.body)).toMatchObject({ interval: 'hour', group_by: 'camera' });
    expect(JSON.parse(r.body).results[0].max_confidence).toBeCloseTo(0.9, 5);
  });

  it('the time range selects buckets by their start', async () => {
    expect(await stats(`group_by=camera&created_date_gte=${iso(T0 + HOUR)}`)).toEqual([row(T0 + HOUR, 'cam-b', 1, 1)]);
    expect(await stats(`interval=minute&group_by=camera&created_date_gt=${iso(T0)}&created_date_lt=${iso(T0 + HOUR)}`)).toEqual([row(T0 + MIN, 'cam-a', 1, 0)]);
  });

  it('a reader who is not an administrator counts only their camera groups and watch lists, their cameras and dossiers', async () => {
    // the events' groups are 'g1' and 'g2', none of them a group this role has rights on
    const role = await createRole(stores.db, { name: 'counters', permissions: ['view_listevent'] });
    await setCameraGroupAccess(stores.db, role.id, (await createCameraGroup(stores.db, { name: 'elsewhere' })).id, 'view');
    const { headers } = await testUser(stores.db, { role: role.id });
    const as = async (query: string) => {
      const r = await app.inject({ method: 'GET', url: `/api/v1/statistics?${query}`, headers });
      expect(r.statusCode, r.body).toBe(200);
      return (JSON.parse(r.body).results as Row[]).map((x) => x.value);
    };
    for (const query of ['group_by=camera_group', 'group_by=camera_group&values=g1', 'group_by=watch_list', 'group_by=camera', 'group_by=dossier']) expect(await as(query), query).toEqual([]);

  });

  it('400 naming the field', async () => {
    for (const [query, field] of [
      ['interval=week', 'interval'],
      ['group_by=user', 'group_by'],
      ['created_date_lt=soon', 'created_date_lt'],
    ] as const) {
      const r = await app.inject({ method: 'GET', url: `/api/v1/statistics?${query}` });
      expect(r.statusCode, query).toBe(400);
      expect(JSON.parse(r.body).error.field, query).toBe(field);
    }
  });
});

async function unacknowledged(): Promise<string[]> {
  const r = await app.inject({ method: 'GET', url: '/api/v1/events?acknowledged=false&ordering=created_date' });
  return (JSON.parse(r.body).results as { id: string }[]).map((e) => e.id);
}
const acknowledge = (query: string, payload?: object) =>
  app.inject({ method: 'POST', url: `/api/v1/events/acknowledge${query}`, ...(payload ? { payload } : {}) });

describe('acknowledge', () => {
  it('one event: PATCH answers the event, acknowledged by whom and when; 404 for an unknown id', async () => {
    const r = await app.inject({ method: 'PATCH', url: '/api/v1/events/s1', payload: { acknowledged: true } });
    expect(r.statusCode, r.body).toBe(200);
    const e = JSON.parse(r.body);
    // by the user of the request: testApi's administrator
    expect(e).toMatchObject({ id: 's1', acknowledged: true, acknowledged_by: expect.stringMatching(/^test-admin-/) });
    expect(Date.parse(e.acknowledged_date)).toBeGreaterThan(Date.now() - 60_000);
    expect(await unacknowledged()).toEqual(['s2', 's3', 's4']);
    expect((await app.inject({ method: 'PATCH', url: '/api/v1/events/nope', payload: { acknowledged: true } })).statusCode).toBe(404);
    const bad = await app.inject({ method: 'PATCH', url: '/api/v1/events/s1', payload: { acknowledged: 'yes' } });
    expect(bad.statusCode).toBe(400);
    expect(JSON.parse(bad.body).error.field).toBe('acknowledged');
  });

  it('many by id, then every event a filter selects (no body), then all taken back', async () => {
    const many = await acknowledge('', { ids: ['s1', 's2', 'nope'] });
    expect(many.statusCode, many.body).toBe(200);
    expect(JSON.parse(many.body)).toEqual({ changed: 1, acknowledged: true });
    expect(await unacknowledged()).toEqual(['s3', 's4']);

    const byFilter = await acknowledge('?cameras=cam-b');
    expect(JSON.parse(byFilter.body)).toEqual({ changed: 1, acknowledged: true });
    expect(await unacknowledged()).toEqual(['s3']);
    // ids within the filters only
    expect(JSON.parse((await acknowledge('?cameras=cam-b', { ids: ['s3'] })).body)).toEqual({ changed: 0, acknowledged: true });

    const back = await acknowledge('', { acknowledged: false });
    expect(JSON.parse(back.body)).toEqual({ changed: 3, acknowledged: false });
    expect(await unacknowledged()).toEqual(['s1', 's2', 's3', 's4']);
    const e = JSON.parse((await app.inject({ method: 'GET', url: '/api/v1/events/s1' })).body);
    expect(e).toMatchObject({ acknowledged: false, acknowledged_by: null, acknowledged_date: null });

    const bad = await acknowledge('', { ids: [] });
    expect(bad.statusCode).toBe(400);
    expect(JSON.parse(bad.body).error.field).toBe('ids');
    const badFilter = await acknowledge('?matched_lists=-1,vip');
    expect(JSON.parse(badFilter.body).error.field).toBe('matched_lists');
  });

  it('a reader acknowledges only events they may see', async () => {
    const role = await createRole(stores.db, { name: 'acknowledgers', permissions: ['view_listevent', 'change_listevent'] });
    await setCameraGroupAccess(stores.db, role.id, (await createCameraGroup(stores.db, { name: 'far-away' })).id, 'change');
    await setWatchListAccess(stores.db, role.id, UNMATCHED_WATCH_LIST_ID, 'change');
    const { headers } = await testUser(stores.db, { role: role.id });
    expect((await app.inject({ method: 'PATCH', url: '/api/v1/events/s2', headers, payload: { acknowledged: true } })).statusCode).toBe(404);
    const all = await app.inject({ method: 'POST', url: '/api/v1/events/acknowledge', headers });
    expect(JSON.parse(all.body)).toEqual({ changed: 0, acknowledged: true });
    expect(await unacknowledged()).toEqual(['s1', 's2', 's3', 's4']);
  });

  it('acknowledging changes no statistics', async () => {
    await acknowledge('');
    await expectedCounts();
  });
});

describe('statistics of cameras and dossiers for a reader who is not an administrator', () => {
  // last in the file: its events would change the acknowledgement tests' known events
  it('counts the cameras of their camera groups and the dossiers of their watch lists, by the present groups and lists', async () => {
    const role = await createRole(stores.db, { name: 'lobby-watchers', permissions: ['view_listevent'] });
    const { headers } = await testUser(stores.db, { role: role.id });
    const group = await createCameraGroup(stores.db, { name: 'lobby' });
    const lobbyCam = await createCamera(stores.db, { name: 'lobby door', url: 'rtsp://cameras.example/lobby', camera_group_id: group.id });
    const yardCam = await createCamera(stores.db, { name: 'yard', url: 'rtsp://cameras.example/yard', camera_group_id: (await createCameraGroup(stores.db, { name: 'yard' })).id });
    const list = await createWatchList(stores.db, { name: 'stats-visitors' });
    const visitor = await createDossier(stores.db, { name: 'Visitor', watch_list_ids: [list.id] });
    const stranger = await createDossier(stores.db, { name: 'Stranger' });
    const writer = createAnalyticsWriter({ client: stores.store.client, cameraGroupOf: () => undefined });
    await writer.writeEvents(
      [
        { id: 'v1', ts: T0, camera: String(lobbyCam.id), dossier: String(visitor.id), watchList: String(list.id), confidence: 0.8 },
        { id: 'v2', ts: T0, camera: String(yardCam.id), dossier: String(stranger.id), watchList: 'vip', confidence: 0.8 },
      ].map(testEvent),
    );
    const values = async (query: string, h: Record<string, string> = headers) => (JSON.parse((await app.inject({ method: 'GET', url: `/api/v1/statistics?${query}`, headers: h })).body).results as Row[]).map((x) => x.value);
    expect(await values('group_by=camera')).toEqual([]);
    expect(await values('group_by=dossier')).toEqual([]);

    await setCameraGroupAccess(stores.db, role.id, group.id, 'view');
    await setWatchListAccess(stores.db, role.id, list.id, 'view');
    expect(await values('group_by=camera')).toEqual([String(lobbyCam.id)]);
    expect(await values(`group_by=camera&values=${yardCam.id},${lobbyCam.id}`)).toEqual([String(lobbyCam.id)]);
    expect(await values('group_by=dossier')).toEqual([String(visitor.id)]);
    expect(await values(`group_by=dossier&values=${stranger.id}`)).toEqual([]);
    expect(await values(`group_by=dossier&values=${stranger.id}`, {})).toEqual([String(stranger.id)]);
  });
});
