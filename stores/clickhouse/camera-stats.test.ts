// Camera health samples on chdb: migration 0006 reshapes camera_stats, CameraStatus records go in and come back as
// a camera's series, oldest first, to the millisecond; a sample written twice is kept once.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { CameraStatus } from '../../schemas/generated/avro-types.ts';
import { queryCameraStats, writeCameraStatuses } from './camera-stats.ts';
import { openTestStore, type TestStore } from './testing.ts';

let store: TestStore;
beforeAll(async () => {
  store = await openTestStore();
});
afterAll(async () => {
  await store?.dispose();
});

const T0 = Date.UTC(2026, 11, 3, 9, 0, 0);
const status = (cameraId: string, ts: number, o: Partial<CameraStatus> = {}): CameraStatus => ({
  cameraId,
  ts,
  status: 'green',
  state: 'running',
  since: T0,
  processingFps: 5,
  framesProcessed: 10,
  framesDropped: 0,
  framesImotionSkipped: 1,
  facesPosted: 2,
  facesFailed: 0,
  decodingSoftErrors: 0,
  jobStarts: 1,
  lastError: null,
  worker: 'serve',
  ...o,
});

it('writes statuses and reads a camera\'s series in a time range', async () => {
  await writeCameraStatuses(store.client, [
    status('1', T0),
    status('1', T0 + 5_000, { framesProcessed: 35, processingFps: 5.2 }),
    status('2', T0 + 5_000, { status: 'red', state: 'retrying', lastError: 'connection refused' }),
    status('1', T0 + 10_000, { status: 'red', state: 'retrying', lastError: 'rtsp://cam: the camera hung up' }),
  ]);
  // a change within the same second is kept; the same sample again replaces itself
  const back = status('1', T0 + 10_400, { status: 'yellow', state: 'running', jobStarts: 2, lastError: 'rtsp://cam: the camera hung up' });
  await writeCameraStatuses(store.client, [back]);
  await writeCameraStatuses(store.client, [back]);
  const series = await queryCameraStats(store.client, { camera: '1', from: T0, to: T0 + 60_000, limit: 100 });
  expect(series).toEqual([
    expect.objectContaining({ ts: new Date(T0).toISOString(), status: 'green', frames_processed: 10, frames_imotion_skipped: 1, faces_posted: 2, last_error: null }),
    expect.objectContaining({ ts: new Date(T0 + 5_000).toISOString(), processing_fps: expect.closeTo(5.2, 5), frames_processed: 35 }),
    expect.objectContaining({ ts: new Date(T0 + 10_000).toISOString(), status: 'red', state: 'retrying' }),
    expect.objectContaining({ ts: new Date(T0 + 10_400).toISOString(), status: 'yellow', state: 'running', job_starts: 2, last_error: 'rtsp://cam: the camera hung up' }),
  ]);
  expect(await queryCameraStats(store.client, { camera: '1', from: T0 + 1_000, to: T0 + 10_000, limit: 100 })).toHaveLength(1);
  expect((await queryCameraStats(store.client, { camera: '1', from: T0, to: T0 + 60_000, limit: 2 })).map((s) => s.ts)).toEqual([
    new Date(T0 + 10_000).toISOString(),
    new Date(T0 + 10_400).toISOString(),
  ]);
  expect(await queryCameraStats(store.client, { camera: '2', from: T0, to: T0 + 60_000, limit: 100 })).toEqual([
    expect.objectContaining({ status: 'red', state: 'retrying', last_error: 'connection refused' }),
  ]);
});
