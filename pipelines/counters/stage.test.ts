// The counters stage over a shared clip, in process with the real detector: counters defined in PostgreSQL (PGlite)
// on the clip's camera, records written by sink-counters to chdb. A counter's faces_count is what the detector found
// on the counted frame; an ROI away from the faces counts none.
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRunContext, type RunContext } from '../../cli/context.ts';
import type { CounterRecord } from '../../schemas/generated/avro-types.ts';
import type { FrameDetections } from '../../schemas/records.ts';
import { queryCounterRecords } from '../../stores/clickhouse/counter-records.ts';
import { openTestStore, type TestStore } from '../../stores/clickhouse/testing.ts';
import type { Db } from '../../stores/postgres/db.ts';
import { openDatabase } from '../../stores/postgres/open.ts';
import { createCameraGroup } from '../../stores/postgres/repositories/camera-groups.ts';
import { createCamera } from '../../stores/postgres/repositories/cameras.ts';
import { createCounter, updateCounter } from '../../stores/postgres/repositories/counters.ts';
import { VIDEO } from '../../test/paths.ts';
import { buildGraph } from '../../topologies/build-inproc.ts';
import { systemClock } from '../runtime/stage.ts';
import { centreInside, parseRegion } from '../track/box.ts';
import { followCounterDefinitions, type FollowedCounterDefinitions } from './definitions.ts';

const CLIP = VIDEO('head-pose-face-detection-female-and-male.mp4');
const START_S = 1_800_000_000;

let run: RunContext;
let db: Db;
let store: TestStore;
let definitions: FollowedCounterDefinitions;
const ids = { whole: '', corner: '', group: '' };

beforeAll(async () => {
  run = await createRunContext({ overrides: { runtime: { model_workers: 1 }, ingest: { start_stream_timestamp: START_S } }, onRejected: () => undefined });
  db = (await openDatabase({})).db;
  store = await openTestStore();
  const g = await createCameraGroup(db, { name: 'counted' });
  const cam = await createCamera(db, { name: 'counted-cam', camera_group_id: g.id, url: CLIP });
  ids.group = String(g.id);
  ids.whole = String((await createCounter(db, { name: 'whole frame', interval: 1, cameras: [{ camera_id: cam.id }] })).id);
  // 10×10 in the top-left corner: no face of the clip is centred there
  ids.corner = String((await createCounter(db, { name: 'corner', interval: 1, cameras: [{ camera_id: cam.id, roi: '10x10+0+0' }] })).id);
  const off = await createCounter(db, { name: 'switched off', interval: 1, cameras: [{ camera_id: cam.id }] });
  definitions = await followCounterDefinitions(db, { pollMs: 0, logger: pino({ level: 'silent' }) });
  await updateCounter(db, off.id, { active: false });
  await definitions.refresh();
}, 120_000);
afterAll(async () => {
  await definitions?.close();
  await db?.close();
  await store?.dispose();
  await run?.models.close();
});

describe('counters stage on a clip', () => {
  it('counts the faces the detector found on one frame a second, inside each ROI', async () => {
    const detections = new Map<number, FrameDetections>();
    const records: CounterRecord[] = [];
    const { graph } = buildGraph(['ingest', 'detect', 'counters', 'sink-counters'], {
      deps: { config: run.config, models: run.models, index: run.index, source: { camera: 'counted-cam', url: CLIP }, counterDefinitions: definitions, clickhouse: store.client },
      taps: {
        detections: [(d) => void detections.set((d as FrameDetections).frame.seq, d as FrameDetections)],
        counters: [(r) => void records.push(r as CounterRecord)],
      },
      logger: pino({ level: 'silent' }),
      registry: new Registry(),
      clock: systemClock,
    });
    await graph.run();

    const whole = records.filter((r) => r.counter === ids.whole);
    const corner = records.filter((r) => r.counter === ids.corner);
    expect(records.every((r) => r.counter === ids.whole || r.counter === ids.corner)).toBe(true); // not the inactive one
    const seconds = Math.floor((Math.max(...[...detections.values()].map((d) => d.frame.ts)) - START_S * 1000) / 1000) + 1;
    expect(whole.length).toBe(seconds); // one a second, from the first frame of each second
    expect(corner.length).toBe(seconds);
    for (const r of whole) {
      const d = detections.get(r.seq)!;
      expect(r).toMatchObject({ camera: 'counted-cam', cameraGroup: ids.group, counterName: 'whole frame', ts: d.frame.ts, facesCount: d.faces.length });
      expect(r.id).toBe(`${ids.whole}:counted-cam:${Math.floor(r.ts / 1000) * 1000}`);
    }
    // the clip shows a woman and a man: the detector finds faces on the counted frames
    expect(Math.max(...whole.map((r) => r.facesCount))).toBeGreaterThanOrEqual(1);
    const roi = parseRegion('10x10+0+0');
    for (const r of corner) {
      expect(detections.get(r.seq)!.faces.some((f) => centreInside(f.box, roi))).toBe(false);
      expect(r.facesCount).toBe(0);
    }

    const stored = await queryCounterRecords(store.client, { filter: { counter: ids.whole }, limit: 100, ascending: true });
    expect(stored.records.map((r) => [r.id, r.facesCount])).toEqual(whole.map((r) => [r.id, r.facesCount]));
  }, 120_000);
});
