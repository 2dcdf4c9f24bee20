// Counters through the API on PGlite and chdb: CRUD of definitions with per-camera ROIs, bad input refused with a
// reason, records with FindFace's filters in cursor pages, statistics per minute, hour and day.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CounterRecord } from '../schemas/generated/avro-types.ts';
import { insertCounterRecords } from '../stores/clickhouse/counter-records.ts';
import { createCameraGroup } from '../stores/postgres/repositories/camera-groups.ts';
import { createCamera } from '../stores/postgres/repositories/cameras.ts';
import { createRole, setCameraGroupAccess } from '../stores/postgres/repositories/roles.ts';
import { testApi, testStores, testUser, type TestStores } from './testing.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;
const T0 = Math.floor((Date.now() - 5 * HOUR) / HOUR) * HOUR;
const iso = (t: number) => new Date(t).toISOString();

let stores: TestStores;
let app: FastifyInstance;
let cams: { a: number; b: number };

beforeAll(async () => {
  stores = await testStores();
  app = await testApi({ db: stores.db, clickhouse: stores.store.client });
  const g = await createCameraGroup(stores.db, { name: 'counters-api' });
  const a = await createCamera(stores.db, { name: 'counters-api-a', camera_group_id: g.id, url: 'rtsp://203.0.113.9/a' });
  const b = await createCamera(stores.db, { name: 'counters-api-b', camera_group_id: g.id, url: 'rtsp://203.0.113.9/b' });
  cams = { a: a.id, b: b.id };
});
afterAll(async () => {
  await app?.close();
  await stores?.close();
});

const body = (r: { body: string }) => JSON.parse(r.body) as Record<string, unknown>;

describe('counters API', () => {
  it('creates, lists, reads, changes and deletes a counter', async () => {
    const created = await app.inject({ method: 'POST', url: '/api/v1/counters', payload: { name: 'entrance', interval: 5, cameras: [{ camera_id: cams.a, roi: '200x100+10+10' }, { camera_id: cams.b }] } });
    expect(created.statusCode, created.body).toBe(201);
    const c = body(created);
    expect(c).toMatchObject({ name: 'entrance', active: true, detect_faces: true, interval: 5, cameras: [{ camera_id: cams.a, roi: '200x100+10+10' }, { camera_id: cams.b, roi: '' }] });
    const id = c['id'] as number;

    expect(body(await app.inject({ method: 'GET', url: `/api/v1/counters/${id}` }))).toEqual(c);
    const listed = body(await app.inject({ method: 'GET', url: `/api/v1/counters?camera=${cams.b}` }));
    expect((listed['results'] as Array<{ id: number }>).map((x) => x.id)).toEqual([id]);

    const changed = await app.inject({ method: 'PATCH', url: `/api/v1/counters/${id}`, payload: { active: false, cameras: [{ camera_id: cams.a }] } });
    expect(changed.statusCode, changed.body).toBe(200);
    expect(body(changed)).toMatchObject({ active: false, cameras: [{ camera_id: cams.a, roi: '' }] });

    expect((await app.inject({ method: 'DELETE', url: `/api/v1/counters/${id}` })).statusCode).toBe(204);
    expect((await app.inject({ method: 'GET', url: `/api/v1/counters/${id}` })).statusCode).toBe(404);
    expect((await app.inject({ method: 'DELETE', url: `/api/v1/counters/${id}` })).statusCode).toBe(404);
  });

  it('refuses bad definitions with a reason', async () => {
    const cases: Array<[unknown, number, RegExp]> = [
      [{ name: 'bad-roi', cameras: [{ camera_id: cams.a, roi: 'left half' }] }, 400, /roi/],
      [{ name: 'too-fast', interval: 0.2 }, 400, /interval/],
      [{ name: 'unknown-field', silhouettes: true }, 400, /silhouettes/],
      [{ name: 'no-camera', cameras: [{ camera_id: 987_654 }] }, 400, /camera 987654 does not exist/],
    ];
    for (const [payload, status, reason] of cases) {
      const r = await app.inject({ method: 'POST', url: '/api/v1/counters', payload: payload as Record<string, unknown> });
      expect(r.statusCode, r.body).toBeGreaterThanOrEqual(status);
      expect(r.statusCode, r.body).toBeLessThan(500);
      expect(r.body, String(r.body)).toMatch(reason);
    }
    await app.inject({ method: 'POST', url: '/api/v1/counters', payload: { name: 'twice' } });
    expect((await app.inject({ method: 'POST', url: '/api/v1/counters', payload: { name: 'twice' } })).statusCode).toBe(409);
  });

  it('lists records with filters in cursor pages, and statistics per bucket', async () => {
    const c = body(await app.inject({ method: 'POST', url: '/api/v1/counters', payload: { name: 'hall', interval: 30, cameras: [{ camera_id: cams.a }, { camera_id: cams.b }] } }));
    const id = String(c['id']);
    const record = (camera: number, ts: number, faces: number): CounterRecord => ({
      id: `${id}:${camera}:${ts}`,
      counter: id,
      counterName: 'hall',
      camera: String(camera),
      cameraGroup: '1',
      ts,
      seq: ts / 1000,
      frameRef: faces > 0 ? `${camera}/${ts}.jpg` : null,
      frameWidth: 480,
      frameHeight: 270,
      facesCount: faces,
      facesBbox: Array.from({ length: faces }, (_, i) => ({ x1: i * 10, y1: 0, x2: i * 10 + 8, y2: 8 })),
    });
    const records = [record(cams.a, T0, 0), record(cams.a, T0 + 30_000, 2), record(cams.a, T0 + MIN, 4), record(cams.b, T0 + HOUR, 1)];
    await insertCounterRecords(stores.store.client, records);
    await insertCounterRecords(stores.store.client, [records[1]!]); // a repeated write replaces

    const page1 = body(await app.inject({ method: 'GET', url: `/api/v1/counters/${id}/records?limit=3` }));
    expect((page1['results'] as Array<{ id: string }>).map((r) => r.id)).toEqual([records[3]!.id, records[2]!.id, records[1]!.id]);
    const page2 = body(await app.inject({ method: 'GET', url: `/api/v1/counters/${id}/records?limit=3&page=${String(page1['next_page'])}` }));
    expect((page2['results'] as Array<{ id: string }>).map((r) => r.id)).toEqual([records[0]!.id]);
    expect(page2['next_page']).toBeNull();
    expect((page1['results'] as unknown[])[2]).toEqual({
      id: records[1]!.id,
      counter: Number(id),
      counter_name: 'hall',
      camera: String(cams.a),
      camera_group: '1',
      created_date: iso(T0 + 30_000),
      faces_count: 2,
      faces_bbox: [[0, 0, 8, 8], [10, 0, 18, 8]],
      frame: `${cams.a}/${T0 + 30_000}.jpg`,
      frame_width: 480,
      frame_height: 270,
    });

    const ids = async (query: string) =>
      (body(await app.inject({ method: 'GET', url: `/api/v1/counters/${id}/records?${query}` }))['results'] as Array<{ id: string }>).map((r) => r.id);
    expect(await ids(`faces_count_gte=2&ordering=created_date`)).toEqual([records[1]!.id, records[2]!.id]);
    expect(await ids(`faces_count_lte=0`)).toEqual([records[0]!.id]);
    expect(await ids(`cameras=${cams.b}`)).toEqual([records[3]!.id]);
    expect(await ids(`created_date_gte=${iso(T0 + MIN)}&created_date_lt=${iso(T0 + HOUR)}`)).toEqual([records[2]!.id]);
    expect(await ids(`id=${records[0]!.id}`)).toEqual([records[0]!.id]);
    expect((await app.inject({ method: 'GET', url: `/api/v1/counters/${id}/records?page=nonsense` })).statusCode).toBe(400);
    expect((await app.inject({ method: 'GET', url: '/api/v1/counters/987654/records' })).statusCode).toBe(404);

    // a reader who is not an administrator sees the records and statistics of their camera groups only
    const role = await createRole(stores.db, { name: 'counter-readers', permissions: ['view_camera'] });
    await setCameraGroupAccess(stores.db, role.id, (await createCameraGroup(stores.db, { name: 'counters-elsewhere' })).id, 'view');
    const { headers } = await testUser(stores.db, { role: role.id });
    const as = async (url: string) => body(await app.inject({ method: 'GET', url: `/api/v1/counters/${id}/${url}`, headers }))['results'];
    expect(await as('records')).toEqual([]);
    expect(await as('statistics?interval=day')).toEqual([]);
    await setCameraGroupAccess(stores.db, role.id, 1, 'view'); // the records' group
    expect(await as('records')).toHaveLength(4);

    const stats = async (query: string) => body(await app.inject({ method: 'GET', url: `/api/v1/counters/${id}/statistics?${query}` }))['results'];
    expect(await stats('interval=minute')).toEqual([
      { bucket: iso(T0), camera: String(cams.a), records: 2, avg_faces: 1, min_faces: 0, max_faces: 2 },
      { bucket: iso(T0 + MIN), camera: String(cams.a), records: 1, avg_faces: 4, min_faces: 4, max_faces: 4 },
      { bucket: iso(T0 + HOUR), camera: String(cams.b), records: 1, avg_faces: 1, min_faces: 1, max_faces: 1 },
    ]);
    expect(await stats(`interval=hour&cameras=${cams.a}`)).toEqual([{ bucket: iso(T0), camera: String(cams.a), records: 3, avg_faces: 2, min_faces: 0, max_faces: 4 }]);
    const day = Math.floor(T0 / (24 * HOUR)) * 24 * HOUR;
    const byDay = (await stats('interval=day')) as Array<{ bucket: string; records: number }>;
    expect(byDay.every((r) => r.bucket >= iso(day))).toBe(true);
    expect(byDay.reduce((n, r) => n + r.records, 0)).toBe(4);
  });
});
