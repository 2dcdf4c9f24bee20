// The camera outbox and its relay on both engines (a real PostgreSQL server and PGlite), publishing to a recorder:
// a camera created, changed, deactivated (itself or its group) and deleted becomes the job a worker must run, with
// rising versions and the settings as JSON text, woken by NOTIFY (the poll is a minute, so only a notification can
// deliver within the test); rows committed while no relay ran are published by the next one.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { pino } from 'pino';
import type { KeyedChange } from '../../../enrolment/watchlist-sync/publisher.ts';
import { startRelay, type OutboxRelay } from '../../../enrolment/watchlist-sync/outbox-relay.ts';
import type { CameraJob } from '../../../schemas/generated/avro-types.ts';
import { CAMERA_OUTBOX_TABLE } from '../../../stores/postgres/repositories/camera-outbox.ts';
import { createCameraGroup, updateCameraGroup } from '../../../stores/postgres/repositories/camera-groups.ts';
import { createCamera, deleteCamera, restartCamera, updateCamera } from '../../../stores/postgres/repositories/cameras.ts';
import { describeEachBackend } from '../../../stores/postgres/testing/backends.ts';
import { streamSettingsOfJob } from '../settings.ts';
import { CAMERA_OUTBOX } from './camera-outbox.ts';

const logger = pino({ level: 'silent' });

describeEachBackend('camera outbox and relay', (ctx) => {
  const published: KeyedChange<CameraJob>[] = [];
  let relay: OutboxRelay | undefined;
  const start = async () => {
    relay = await startRelay({ db: ctx.db, outbox: CAMERA_OUTBOX, publisher: { target: 'a recorder', publish: async (c) => void published.push(...c) }, logger, pollMs: 60_000 });
  };
  /** the latest record of camera `id` (undefined: none yet; null: a tombstone) */
  const latest = (id: number) => published.filter((c) => c.key === String(id)).at(-1)?.value;

  beforeAll(start);
  afterAll(async () => {
    await relay?.stop();
  });

  it('publishes a created camera, its changes with rising versions, and its deletion as a tombstone', async () => {
    const group = await createCameraGroup(ctx.db, { name: 'outbox-lobby' });
    const cam = await createCamera(ctx.db, { name: 'outbox-door', camera_group_id: group.id, url: 'rtsp://127.0.0.1:8554/door', stream_settings: { fps: 5, roi: '100x100+10+10', filter_min_quality: -2 } });
    await expect.poll(() => latest(cam.id), { timeout: 10_000 }).toBeTruthy();
    const first = latest(cam.id)!;
    expect(first).toMatchObject({ cameraId: String(cam.id), name: 'outbox-door', url: 'rtsp://127.0.0.1:8554/door', enabled: true, fps: 5, group: String(group.id) });
    expect(first.settings).toEqual({ fps: '5', roi: '"100x100+10+10"', filter_min_quality: '-2' });
    expect(streamSettingsOfJob(first)).toEqual({ fps: 5, roi: '100x100+10+10', filter_min_quality: -2 });

    await updateCamera(ctx.db, cam.id, { url: 'rtsp://127.0.0.1:8554/door2', active: false });
    await expect.poll(() => latest(cam.id)?.url, { timeout: 10_000 }).toBe('rtsp://127.0.0.1:8554/door2');
    expect(latest(cam.id)).toMatchObject({ enabled: false });
    expect(latest(cam.id)!.version).toBeGreaterThan(first.version);
    await expect.poll(() => CAMERA_OUTBOX_TABLE.length(ctx.db)).toBe(0);

    // FindFace's restart: a new job whose restarts count rose (what makes its worker start it again)
    expect(latest(cam.id)!.restarts).toBe(0);
    await restartCamera(ctx.db, cam.id);
    await expect.poll(() => latest(cam.id)?.restarts, { timeout: 10_000 }).toBe(1);

    await deleteCamera(ctx.db, cam.id);
    await expect.poll(() => latest(cam.id), { timeout: 10_000 }).toBeNull();
  });

  it('disables the jobs of a deactivated group and enables them again', async () => {
    const group = await createCameraGroup(ctx.db, { name: 'outbox-yard' });
    const cam = await createCamera(ctx.db, { name: 'outbox-gate', camera_group_id: group.id, url: 'file:///clips/gate.mp4' });
    await expect.poll(() => latest(cam.id)?.enabled, { timeout: 10_000 }).toBe(true);
    expect(latest(cam.id)).toMatchObject({ fps: null, settings: {} });
    await updateCameraGroup(ctx.db, group.id, { active: false });
    await expect.poll(() => latest(cam.id)?.enabled, { timeout: 10_000 }).toBe(false);
    await updateCameraGroup(ctx.db, group.id, { active: true });
    await expect.poll(() => latest(cam.id)?.enabled, { timeout: 10_000 }).toBe(true);
  });

  it("carries the camera's threshold, else its group's, and follows a change of the group's", async () => {
    const group = await createCameraGroup(ctx.db, { name: 'outbox-hall', confidence_threshold: 0.6 });
    const own = await createCamera(ctx.db, { name: 'outbox-hall-1', camera_group_id: group.id, url: 'rtsp://127.0.0.1:8554/hall1', confidence_threshold: 0.75 });
    const inherits = await createCamera(ctx.db, { name: 'outbox-hall-2', camera_group_id: group.id, url: 'rtsp://127.0.0.1:8554/hall2' });
    await expect.poll(() => [latest(own.id)?.confidenceThreshold, latest(inherits.id)?.confidenceThreshold], { timeout: 10_000 }).toEqual([0.75, 0.6]);
    await updateCameraGroup(ctx.db, group.id, { confidence_threshold: 0.8 });
    await expect.poll(() => latest(inherits.id)?.confidenceThreshold, { timeout: 10_000 }).toBe(0.8);
    expect(latest(own.id)?.confidenceThreshold).toBe(0.75);
    await updateCameraGroup(ctx.db, group.id, { confidence_threshold: null });
    await expect.poll(() => latest(inherits.id)?.confidenceThreshold, { timeout: 10_000 }).toBeNull();
  });

  it('publishes what was committed while no relay ran', async () => {
    await relay!.stop();
    const group = await createCameraGroup(ctx.db, { name: 'outbox-late' });
    const cam = await createCamera(ctx.db, { name: 'outbox-late-cam', camera_group_id: group.id, url: 'rtsp://127.0.0.1:8554/late' });
    await new Promise((r) => setTimeout(r, 300));
    expect(latest(cam.id)).toBeUndefined();
    expect(await CAMERA_OUTBOX_TABLE.length(ctx.db)).toBeGreaterThan(0);
    await start();
    await expect.poll(() => latest(cam.id)?.url, { timeout: 10_000 }).toBe('rtsp://127.0.0.1:8554/late');
  });
});
