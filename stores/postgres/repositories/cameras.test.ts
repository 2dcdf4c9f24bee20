import { expect, it } from 'vitest';
import { ConstraintError } from '../errors.ts';
import { describeEachBackend } from '../testing/backends.ts';
import { createCameraGroup, deleteCameraGroup, getCameraGroup, listCameraGroups, updateCameraGroup } from './camera-groups.ts';
import { createCamera, deleteCamera, getCamera, listCameras, updateCamera } from './cameras.ts';

describeEachBackend('camera groups and cameras', (ctx) => {
  it('has the preconfigured Default group', async () => {
    expect((await listCameraGroups(ctx.db)).map((g) => g.name)).toContain('Default');
  });

  it('creates, reads, lists, changes and deletes a camera group', async () => {
    const g = await createCameraGroup(ctx.db, { name: 'Lobby', labels: { site: 'north' }, confidence_threshold: 0.7 });
    expect(g).toMatchObject({ name: 'Lobby', comment: '', active: true, labels: { site: 'north' }, deduplicate: false, deduplicate_delay: 15 });
    expect(g.confidence_threshold).toBeCloseTo(0.7, 5);
    expect(g.created_date).toBeInstanceOf(Date);
    expect(await getCameraGroup(ctx.db, g.id)).toEqual(g);

    const changed = await updateCameraGroup(ctx.db, g.id, { comment: 'ground floor', active: false, confidence_threshold: null });
    expect(changed).toMatchObject({ id: g.id, name: 'Lobby', comment: 'ground floor', active: false, confidence_threshold: null });
    expect(changed!.modified_date.getTime()).toBeGreaterThanOrEqual(g.modified_date.getTime());
    expect(await updateCameraGroup(ctx.db, g.id, {})).toEqual(changed);
    expect((await listCameraGroups(ctx.db, { active: false })).map((x) => x.id)).toEqual([g.id]);

    expect(await deleteCameraGroup(ctx.db, g.id)).toBe(true);
    expect(await getCameraGroup(ctx.db, g.id)).toBeUndefined();
    expect(await deleteCameraGroup(ctx.db, g.id)).toBe(false);
    expect(await updateCameraGroup(ctx.db, g.id, { comment: 'gone' })).toBeUndefined();
  });

  it('refuses a second group of the same name, and values outside the checks', async () => {
    await createCameraGroup(ctx.db, { name: 'Gate' });
    const dup = await createCameraGroup(ctx.db, { name: 'Gate' }).catch((e: unknown) => e);
    expect(dup).toBeInstanceOf(ConstraintError);
    expect(dup).toMatchObject({ kind: 'unique', constraint: 'camera_groups_name_key' });
    await expect(createCameraGroup(ctx.db, { name: 'Bad', deduplicate_delay: 10_001 })).rejects.toMatchObject({ kind: 'check' });
    await expect(createCameraGroup(ctx.db, { name: '' })).rejects.toMatchObject({ kind: 'check' });
  });

  it('creates, reads, lists, changes and deletes a camera', async () => {
    const g = await createCameraGroup(ctx.db, { name: 'Parking' });
    const cam = await createCamera(ctx.db, {
      name: 'parking-1',
      camera_group_id: g.id,
      url: 'rtsp://10.0.0.5/stream1',
      stream_settings: { filter_min_quality: -2, roi: '' },
    });
    expect(cam).toMatchObject({ name: 'parking-1', camera_group_id: g.id, active: true, confidence_threshold: null, stream_settings: { filter_min_quality: -2, roi: '' } });
    expect(await getCamera(ctx.db, cam.id)).toEqual(cam);

    const other = await createCamera(ctx.db, { name: 'parking-2', camera_group_id: g.id, url: 'file:///data/p2.mp4', active: false });
    expect((await listCameras(ctx.db, { camera_group_id: g.id })).map((c) => c.name)).toEqual(['parking-1', 'parking-2']);
    expect((await listCameras(ctx.db, { camera_group_id: g.id, active: true })).map((c) => c.name)).toEqual(['parking-1']);
    expect((await listCameras(ctx.db, { camera_group_id: g.id, limit: 1 })).map((c) => c.id)).toEqual([cam.id]);
    expect((await listCameras(ctx.db, { camera_group_id: g.id, after_id: cam.id })).map((c) => c.id)).toEqual([other.id]);

    // stream_settings is replaced as a whole, arrays included (jsonb, not a SQL array)
    const changed = await updateCamera(ctx.db, cam.id, { stream_settings: { ffmpeg_params: ['rtsp_transport=tcp'] }, url: 'rtsp://10.0.0.6/s' });
    expect(changed).toMatchObject({ url: 'rtsp://10.0.0.6/s', stream_settings: { ffmpeg_params: ['rtsp_transport=tcp'] } });
    expect(await deleteCamera(ctx.db, other.id)).toBe(true);
    expect(await getCamera(ctx.db, other.id)).toBeUndefined();
  });

  it('refuses a camera in a group that does not exist, a duplicate name, and deleting a group that has cameras', async () => {
    const g = await createCameraGroup(ctx.db, { name: 'Dock' });
    await createCamera(ctx.db, { name: 'dock-1', camera_group_id: g.id, url: 'rtsp://dock/1' });
    await expect(createCamera(ctx.db, { name: 'dock-2', camera_group_id: 999_999, url: 'rtsp://dock/2' })).rejects.toMatchObject({ kind: 'foreign_key' });
    await expect(createCamera(ctx.db, { name: 'dock-1', camera_group_id: g.id, url: 'rtsp://dock/1b' })).rejects.toMatchObject({ kind: 'unique' });
    await expect(deleteCameraGroup(ctx.db, g.id)).rejects.toMatchObject({ kind: 'foreign_key' });
    expect(await getCameraGroup(ctx.db, g.id)).toBeDefined();
  });

  it('takes names with quotes and SQL in them as plain values', async () => {
    const name = "O'Brien\"; DROP TABLE cameras; --";
    const g = await createCameraGroup(ctx.db, { name });
    expect((await getCameraGroup(ctx.db, g.id))!.name).toBe(name);
    expect(await listCameras(ctx.db)).toBeInstanceOf(Array);
  });
});
