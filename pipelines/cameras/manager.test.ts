// The camera manager on PGlite with sources that are plain functions (no video): which cameras run, restarts of
// one camera alone (and FindFace's restart), backoff after failures, and the colours it reports, including yellow turning green by itself.
import { pino } from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadConfig } from '../../config/load.ts';
import type { Db } from '../../stores/postgres/db.ts';
import { openDatabase } from '../../stores/postgres/open.ts';
import { listCameraGroups } from '../../stores/postgres/repositories/camera-groups.ts';
import { createCamera, restartCamera, updateCamera } from '../../stores/postgres/repositories/cameras.ts';
import type { AddedSource } from '../runtime/inproc/run-graph.ts';
import type { Source, SourceContext } from '../runtime/stage.ts';
import { INGEST_COUNTERS } from '../ingest/stage.ts';
import { CameraManager, cameraKey, type CameraGraph } from './manager.ts';
import type { CameraHealth } from './stats.ts';

let db: Db;
let group = 0;
// one database for the file: each test's manager also runs the cameras of the tests before it
beforeAll(async () => {
  ({ db } = await openDatabase({}));
  group = (await listCameraGroups(db, { limit: 1 }))[0]!.id;
});
afterAll(async () => {
  await db.close();
});

/**
 * How each url behaves: `frames` sends a frame every 10 ms until stopped; `fail` rejects at once; `end` sends 3 frames
 * and ends; `still` has the motion gate hold back a frame every 10 ms.
 */
type Behaviour = 'frames' | 'fail' | 'end' | 'still';

/** A graph that runs what the manager adds with a context counting frames per camera; `downstream` is its passedDownstream. */
function fakeGraph(behaviour: (url: string) => Behaviour, downstream?: () => Promise<void>) {
  const frames = new Map<string, number>();
  const starts: string[] = [];
  const graph: CameraGraph = {
    addSource(_name, deps, wrap = (s) => s) {
      const { camera, url } = deps.source!;
      starts.push(camera);
      const inner: Source<unknown> = {
        name: 'ingest',
        async run(ctx, signal) {
          const b = behaviour(url);
          if (b === 'fail') throw new Error(`${url}: connection refused`);
          for (let ts = 1; (b !== 'end' || ts <= 3) && !signal.aborted; ts++) {
            if (b === 'still') ctx.count(INGEST_COUNTERS.imotionSkipped);
            else await ctx.forward({ camera, ts });
            await new Promise((r) => setTimeout(r, 10));
          }
        },
      };
      const own = new AbortController();
      const ctx = {
        stage: 'ingest',
        logger: pino({ level: 'silent' }),
        clock: { now: Date.now },
        count: () => {},
        forward: async () => void frames.set(camera, (frames.get(camera) ?? 0) + 1),
        idle: async () => {},
        ...(downstream ? { passedDownstream: downstream } : {}),
      } as SourceContext<unknown>;
      const done: Promise<void> = wrap(inner).run(ctx, own.signal);
      return { stop: () => own.abort(), done } satisfies AddedSource;
    },
  };
  return { graph, frames, starts };
}

async function manager(graph: CameraGraph, reported: Array<[string, CameraHealth['status']]>) {
  const config = await loadConfig(undefined);
  return new CameraManager({
    db,
    graph,
    config,
    logger: pino({ level: 'silent' }),
    clock: { now: Date.now },
    rules: { settleMs: 200 },
    backoff: { live: { initialMs: 20, maxMs: 40 }, file: { initialMs: 20, maxMs: 40 } },
    onStatus: (camera, h) => reported.push([camera, h.status]),
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

it('runs the active cameras, reports yellow then green by itself, restarts only a changed camera', async () => {
  const { graph, frames, starts } = fakeGraph(() => 'frames');
  const a = await createCamera(db, { name: 'a', camera_group_id: group, url: 'rtsp://cam/a' });
  const b = await createCamera(db, { name: 'b', camera_group_id: group, url: 'rtsp://cam/b' });
  const off = await createCamera(db, { name: 'off', camera_group_id: group, url: 'rtsp://cam/off', active: false });
  const reported: Array<[string, CameraHealth['status']]> = [];
  const m = await manager(graph, reported);
  await m.start();
  await sleep(400);
  expect(starts.sort()).toEqual([cameraKey(a.id), cameraKey(b.id)].sort());
  expect(reported.filter(([c]) => c === cameraKey(a.id)).map(([, s]) => s)).toEqual(['yellow', 'green']);
  expect(reported).toContainEqual([cameraKey(off.id), 'grey']);
  expect(m.health(a.id)).toMatchObject({ status: 'green', state: 'running', job_starts: 1 });

  await updateCamera(db, b.id, { name: 'b renamed' });
  await m.changed(b.id); // nothing that makes the job changed
  await updateCamera(db, b.id, { url: 'rtsp://cam/b2' });
  const aFrames = frames.get(cameraKey(a.id))!;
  await m.changed(b.id);
  expect(starts.filter((c) => c === cameraKey(b.id))).toHaveLength(2);
  expect(starts.filter((c) => c === cameraKey(a.id))).toHaveLength(1);
  expect(m.health(b.id)).toMatchObject({ job_starts: 2 });
  await sleep(50);
  expect(frames.get(cameraKey(a.id))!).toBeGreaterThan(aFrames);
  // FindFace's restart (POST /cameras/{id}/restart): the same job started again
  await restartCamera(db, b.id);
  await m.changed(b.id);
  expect(starts.filter((c) => c === cameraKey(b.id))).toHaveLength(3);
  expect(m.health(b.id)).toMatchObject({ job_starts: 3, state: 'running' });

  // changes that did not come through changed() (another API process, SQL): found by resync()
  await updateCamera(db, a.id, { active: false });
  const c = await createCamera(db, { name: 'c', camera_group_id: group, url: 'rtsp://cam/c' });
  await m.resync();
  expect(m.health(a.id)).toMatchObject({ status: 'grey', state: 'disabled' });
  expect(starts.filter((k) => k === cameraKey(c.id))).toHaveLength(1);
  expect(starts.filter((k) => k === cameraKey(b.id))).toHaveLength(3);
  await m.stop();
});

it('retries a failing source with backoff (red, with the reason); a file read to its end is grey', async () => {
  let failing = true;
  const { graph } = fakeGraph((url) => (url.endsWith('.mp4') ? 'end' : url.endsWith('still') ? 'still' : failing ? 'fail' : 'frames'));
  const cam = await createCamera(db, { name: 'door', camera_group_id: group, url: 'rtsp://cam/door' });
  const still = await createCamera(db, { name: 'empty hall', camera_group_id: group, url: 'rtsp://cam/still' });
  const file = await createCamera(db, { name: 'clip', camera_group_id: group, url: '/videos/clip.mp4' });
  const reported: Array<[string, CameraHealth['status']]> = [];
  const m = await manager(graph, reported);
  await m.start();
  await sleep(200);
  const red = m.health(cam.id)!;
  expect(red).toMatchObject({ status: 'red', state: 'retrying', last_error: 'rtsp://cam/door: connection refused' });
  expect(red.job_starts).toBeGreaterThan(3); // 20, 40, 40 … ms apart
  failing = false;
  await sleep(100);
  expect(m.health(cam.id)).toMatchObject({ status: 'yellow', state: 'running' });
  expect(m.health(file.id)).toMatchObject({ status: 'grey', state: 'finished', job_starts: 1 });
  // a file read to its end is read again when restarted
  await restartCamera(db, file.id);
  await m.changed(file.id);
  await sleep(100);
  expect(m.health(file.id)).toMatchObject({ status: 'grey', state: 'finished', job_starts: 2 });
  // nothing moves: no frame reaches detection, but the camera delivers and runs
  expect(m.health(still.id)).toMatchObject({ state: 'running', frames_processed: 0 });
  expect(m.health(still.id)!.frames_imotion_skipped).toBeGreaterThan(5);
  // starting (yellow), failed (red) and retried in vain, then running (yellow)
  expect(reported.filter(([c]) => c === cameraKey(cam.id)).map(([, s]) => s)).toEqual(['yellow', 'red', 'yellow']);
  await m.stop();
});

it('a file read to its end is finished only once what it read has gone through the stages', async () => {
  let release!: () => void;
  const downstream = new Promise<void>((resolve) => (release = resolve));
  const { graph } = fakeGraph((url) => (url.endsWith('.mp4') ? 'end' : 'frames'), () => downstream);
  const file = await createCamera(db, { name: 'slow clip', camera_group_id: group, url: '/videos/slow.mp4' });
  const m = await manager(graph, []);
  await m.start();
  await sleep(100); // its 3 frames are read within ~30 ms; their posts are still in the stages
  expect(m.health(file.id)).toMatchObject({ state: 'running' });
  release();
  await sleep(10);
  expect(m.health(file.id)).toMatchObject({ status: 'grey', state: 'finished', job_starts: 1 });
  await m.stop();
});
