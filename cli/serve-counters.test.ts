// serve counts people: a counter defined through the API on a file camera gets records in
// GET /counters/{id}/records and statistics, from serve's own pipeline on real stores (PGlite, chdb) and models.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DEMO_CLIP } from '../test/paths.ts';
import { startCamerasHarness, type CamerasHarness } from './serve-testing.ts';

let h: CamerasHarness;

beforeAll(async () => {
  h = await startCamerasHarness({ config: { counters: { refresh_interval_ms: 500 } } });
}, 60_000);

afterAll(async () => {
  await h?.close();
}, 30_000);

type Records = { results: { id: string; camera: string; faces_count: number; created_date: string }[] };

it('a counter on a file camera: a record a second with the faces in view, and statistics', async () => {
  // the camera starts once the counter knows it
  const camera = await h.call<{ id: number }>('POST', '/api/v1/cameras', { name: 'counted', url: `file://${DEMO_CLIP}`, active: false });
  const counter = await h.call<{ id: number }>('POST', '/api/v1/counters', { name: 'demo people', interval: 1, cameras: [{ camera_id: camera.id }] });
  await new Promise((r) => setTimeout(r, 1_000)); // the definitions re-read (notification or 500 ms poll)
  await h.call('PATCH', `/api/v1/cameras/${camera.id}`, { active: true });

  // until the file is read (grey) and no record has come for a second (the pipeline drains after the file ends)
  let records: Records['results'] = [];
  for (let end = Date.now() + 40_000, stable = 0; Date.now() < end && stable < 4; await new Promise((r) => setTimeout(r, 250))) {
    const now = (await h.call<Records>('GET', `/api/v1/counters/${counter.id}/records?ordering=created_date&limit=1000`)).results;
    const grey = h.cameras.manager.healths().get(String(camera.id))?.status === 'grey';
    stable = grey && now.length === records.length ? stable + 1 : 0;
    records = now;
  }
  expect(records.length).toBeGreaterThanOrEqual(3);
  // one a second of the clip's time
  const seconds = records.map((r) => Math.floor(Date.parse(r.created_date) / 1000));
  expect(new Set(seconds).size, JSON.stringify(records)).toBe(records.length);
  // the demo clip shows a woman and a man
  expect(Math.max(...records.map((r) => r.faces_count))).toBeGreaterThanOrEqual(1);
  expect(records.every((r) => r.faces_count <= 2)).toBe(true);

  const stats = await h.call<{ results: { records: number; max_faces: number }[] }>('GET', `/api/v1/counters/${counter.id}/statistics?interval=day`);
  expect(stats.results.reduce((n, r) => n + r.records, 0)).toBe(records.length);
}, 90_000);
