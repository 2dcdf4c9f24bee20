// serve's cameras through the API, on real stores (PGlite, chdb), the project's face models and real cameras: a file
// camera with an enrolled dossier becomes matched events in GET /events; an RTSP camera (our test server on loopback,
// reached through a TCP relay the test can cut and restore) goes green, red with the reason when the camera goes
// away, green again when it returns; a camera made inactive turns grey and stops while another goes on.
import { readFileSync } from 'node:fs';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { multipart } from '../api/testing.ts';
import { createInProcessDossierPublisher } from '../enrolment/watchlist-sync/inproc-publisher.ts';
import { startOutboxRelay, type OutboxRelay } from '../enrolment/watchlist-sync/outbox-relay.ts';
import type { CameraHealth } from '../pipelines/cameras/stats.ts';
import { startTestRtspServer, type TestRtspServer } from '../pipelines/ingest/testing/rtsp-server.ts';
import { tcpRelay } from '../pipelines/ingest/testing/tcp-relay.ts';
import { DEMO_CLIP, DEMO_WATCHLIST } from '../test/paths.ts';
import { startCamerasHarness, until, type CamerasHarness } from './serve-testing.ts';

/** a camera is yellow this long after its frames start (FindFace: 30 s; short here to keep the test short) */
const SETTLE_MS = 1_500;

const dossiers = createInProcessDossierPublisher();
let h: CamerasHarness;
let relay: OutboxRelay;
let rtsp: TestRtspServer;

beforeAll(async () => {
  h = await startCamerasHarness({
    config: { ingest: { timeout_s: 2 }, api: { allowed_networks: ['127.0.0.0/8'] } },
    cameras: { dossiers, rules: { settleMs: SETTLE_MS } },
  });
  relay = await startOutboxRelay({ db: h.stores.db, publisher: dossiers, logger: pino({ level: 'silent' }), snapshotAtStart: true, pollMs: 200 });
  rtsp = await startTestRtspServer({ clip: DEMO_CLIP });
}, 60_000);

afterAll(async () => {
  await relay?.stop();
  await h?.close();
  await rtsp?.close();
}, 30_000);

const call = <T>(method: 'GET' | 'POST' | 'PATCH', url: string, payload?: object) => h.call<T>(method, url, payload);

const health = async (id: number) => (await call<{ health?: CameraHealth & { since: string } }>('GET', `/api/v1/cameras/${id}`)).health;

/** Polls the camera's health until `ok` holds; returns it. */
const healthUntil = (id: number, what: string, ok: (h: CameraHealth) => boolean, ms?: number) =>
  until(
    what,
    async () => {
      const got = await health(id);
      return got && ok(got) ? got : undefined;
    },
    ms,
  );

describe('serve runs the cameras', () => {
  it('a file camera with an enrolled dossier: matched events in GET /events, then grey once the file is read', async () => {
    const list = await call<{ id: number }>('POST', '/api/v1/watch-lists', { name: 'staff' });
    const woman = await call<{ id: number }>('POST', '/api/v1/dossiers', { name: 'woman-in-grey', watch_list_ids: [list.id] });
    const photo = readFileSync(`${DEMO_WATCHLIST}/woman-in-grey.jpg`);
    const face = await h.app.inject({
      method: 'POST',
      url: '/api/v1/dossier-faces',
      ...multipart([{ name: 'dossier', value: String(woman.id) }, { name: 'source_photo', filename: 'woman-in-grey.jpg', type: 'image/jpeg', value: photo }]),
    });
    expect(face.statusCode, face.body).toBe(201);
    await until('the enrolment reaches the matcher', async () => (dossiers.size > 0 ? true : undefined));

    const camera = await call<{ id: number }>('POST', '/api/v1/cameras', { name: 'demo', url: `file://${DEMO_CLIP}` });
    const matched = await until('matched events', async () => {
      const page = await call<{ results: { camera: string; matched_dossier: string | null }[] }>('GET', '/api/v1/events?matched=true');
      return page.results.length > 0 ? page.results : undefined;
    }, 40_000);
    expect(new Set(matched.map((e) => e.matched_dossier))).toEqual(new Set([String(woman.id)]));
    expect(new Set(matched.map((e) => e.camera))).toEqual(new Set([String(camera.id)]));
    const done = await healthUntil(camera.id, 'the file read to its end', (h) => h.state === 'finished');
    expect(done).toMatchObject({ status: 'grey', job_starts: 1, last_error: null, faces_failed: 0 });
    expect(done.frames_processed).toBeGreaterThan(10); // 4.7 s at 4 fps
    expect(done.faces_posted).toBeGreaterThanOrEqual(matched.length);
    // `finished` waits for the file's last posts to go through every stage: nothing is posted after it
    await new Promise((r) => setTimeout(r, 1500));
    expect((await health(camera.id))!.faces_posted).toBe(done.faces_posted);
  }, 60_000);

  it('an RTSP camera: green, red with the reason when the camera goes away, green again when it returns', async () => {
    const link = await tcpRelay(new URL(rtsp.url));
    try {
      const camera = await call<{ id: number }>('POST', '/api/v1/cameras', { name: 'door', url: link.url });
      const seen: string[] = [];
      const watch = (h: CameraHealth) => (seen.at(-1) !== h.status && seen.push(h.status), true);
      await healthUntil(camera.id, 'green', (h) => watch(h) && h.status === 'green');
      expect(seen[0]).toBe('yellow'); // starting, then running for less than the settling time
      await link.cut();
      const red = await healthUntil(camera.id, 'red', (h) => h.status === 'red');
      expect(red.state).toBe('retrying');
      expect(red.last_error).toMatch(/127\.0\.0\.1/);
      await new Promise((r) => setTimeout(r, 1_500)); // reconnections meanwhile are refused: still red
      const stillRed = await health(camera.id);
      expect(stillRed).toMatchObject({ status: 'red' });
      expect(stillRed!.job_starts).toBeGreaterThan(red.job_starts);
      const back = Date.now();
      await link.restore();
      const running = await healthUntil(camera.id, 'running again', (h) => h.state === 'running');
      expect(Date.now() - back).toBeLessThan(5_000); // FindFace's bound: back within 5 s of the source
      expect(running.status).toBe('yellow');
      await healthUntil(camera.id, 'green again', (h) => h.status === 'green');
      // each change of colour is a sample (written a moment after the API shows it)
      const series = await until('the changes in camera_stats', async () => {
        const { results } = await call<{ results: { status: string }[] }>('GET', `/api/v1/cameras/${camera.id}/statistics`);
        const changes = results.map((s) => s.status).filter((s, k, all) => k === 0 || all[k - 1] !== s);
        return changes.join() === 'yellow,green,red,yellow,green' ? changes : undefined;
      }, 10_000);
      expect(series).toHaveLength(5);
    } finally {
      await link.close();
    }
  }, 60_000);

  it('a camera made inactive turns grey and stops; another camera goes on', async () => {
    const a = await call<{ id: number }>('POST', '/api/v1/cameras', { name: 'hall', url: rtsp.url });
    const b = await call<{ id: number }>('POST', '/api/v1/cameras', { name: 'yard', url: rtsp.url });
    await healthUntil(a.id, 'hall runs', (h) => h.frames_processed > 0);
    await healthUntil(b.id, 'yard runs', (h) => h.frames_processed > 0);
    const patched = await call<{ health?: CameraHealth }>('PATCH', `/api/v1/cameras/${b.id}`, { active: false });
    expect(patched.health).toBeDefined();
    const grey = await healthUntil(b.id, 'yard grey', (h) => h.status === 'grey');
    expect(grey.state).toBe('disabled');
    // frames it read before it stopped still go through detection: wait until they have
    const processed = async (id: number) => (await health(id))!.frames_processed;
    const drained = await until('yard drained', async () => {
      const before = await processed(b.id);
      await new Promise((r) => setTimeout(r, 1_000));
      return (await processed(b.id)) === before ? before : undefined;
    });
    const aBefore = await processed(a.id);
    await new Promise((r) => setTimeout(r, 2_000));
    expect(await processed(b.id)).toBe(drained);
    expect(await processed(a.id)).toBeGreaterThan(aBefore);
    const list = await call<{ results: { id: number; health?: CameraHealth }[] }>('GET', '/api/v1/cameras');
    expect(list.results.find((c) => c.id === b.id)?.health?.status).toBe('grey');
    expect(list.results.find((c) => c.id === a.id)?.health?.state).toBe('running');
    const text = await h.metrics.metrics();
    expect(text).toContain(`facestream_camera_status{camera="${b.id}"} 3`); // grey
    const fps = new RegExp(`facestream_camera_processing_fps\\{camera="${a.id}"\\} (\\S+)`).exec(text)?.[1];
    expect(Number(fps)).toBeGreaterThan(0);
  }, 60_000);
});
