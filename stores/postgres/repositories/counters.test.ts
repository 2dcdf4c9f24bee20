import { expect, it } from 'vitest';
import { describeEachBackend } from '../testing/backends.ts';
import { createCameraGroup } from './camera-groups.ts';
import { createCamera, deleteCamera, updateCamera } from './cameras.ts';
import { createCounter, deleteCounter, getCounter, listCounters, listCountingTargets, updateCounter } from './counters.ts';

describeEachBackend('counters', (ctx) => {
  it('creates, reads, lists, changes and deletes a counter with its cameras and their regions', async () => {
    const g = await createCameraGroup(ctx.db, { name: 'counters-hall' });
    const a = await createCamera(ctx.db, { name: 'counters-a', camera_group_id: g.id, url: 'rtsp://203.0.113.1/a' });
    const b = await createCamera(ctx.db, { name: 'counters-b', camera_group_id: g.id, url: 'rtsp://203.0.113.1/b' });
    const c = await createCounter(ctx.db, { name: 'hall', interval: 5, cameras: [{ camera_id: b.id, roi: '100x80+10+20' }, { camera_id: a.id }] });
    expect(c).toMatchObject({ name: 'hall', comment: '', active: true, detect_faces: true, interval: 5 });
    expect(c.cameras).toEqual([
      { camera_id: a.id, roi: '' },
      { camera_id: b.id, roi: '100x80+10+20' },
    ]);
    expect(await getCounter(ctx.db, c.id)).toEqual(c);
    expect((await createCounter(ctx.db, { name: 'empty' })).cameras).toEqual([]);

    expect((await listCounters(ctx.db, { camera_id: b.id })).map((x) => x.name)).toEqual(['hall']);
    const changed = await updateCounter(ctx.db, c.id, { interval: 30, cameras: [{ camera_id: a.id, roi: '10x10+0+0' }] });
    expect(changed).toMatchObject({ interval: 30, cameras: [{ camera_id: a.id, roi: '10x10+0+0' }] });
    expect(await listCounters(ctx.db, { camera_id: b.id })).toEqual([]);
    expect(await updateCounter(ctx.db, c.id, {})).toMatchObject({ interval: 30 });

    // a deleted camera leaves the counter
    await deleteCamera(ctx.db, a.id);
    expect((await getCounter(ctx.db, c.id))!.cameras).toEqual([]);
    expect(await deleteCounter(ctx.db, c.id)).toBe(true);
    expect(await getCounter(ctx.db, c.id)).toBeUndefined();
    expect(await updateCounter(ctx.db, c.id, { interval: 3 })).toBeUndefined();
  });

  it('refuses an interval out of range, a malformed region and an unknown camera', async () => {
    await expect(createCounter(ctx.db, { name: 'fast', interval: 0.1 })).rejects.toMatchObject({ kind: 'check' });
    await expect(createCounter(ctx.db, { name: 'bad-roi', cameras: [{ camera_id: 1, roi: 'left half' }] })).rejects.toMatchObject({ kind: expect.stringMatching(/check|foreign_key/) });
    await expect(createCounter(ctx.db, { name: 'no-camera', cameras: [{ camera_id: 999_999 }] })).rejects.toMatchObject({ kind: 'foreign_key' });
    expect(await listCounters(ctx.db, {})).not.toContainEqual(expect.objectContaining({ name: 'no-camera' }));
  });

  it('lists the counting targets of active face counters, and notifies every change', async () => {
    const g = await createCameraGroup(ctx.db, { name: 'counters-gate' });
    const cam = await createCamera(ctx.db, { name: 'counters-gate-1', camera_group_id: g.id, url: 'rtsp://203.0.113.1/g' });
    const notified: string[] = [];
    const stop = await ctx.db.listen('counters', (p) => notified.push(p));
    try {
      const on = await createCounter(ctx.db, { name: 'gate', interval: 2, cameras: [{ camera_id: cam.id, roi: '50x50+0+0' }] });
      await createCounter(ctx.db, { name: 'gate-off', active: false, cameras: [{ camera_id: cam.id }] });
      await createCounter(ctx.db, { name: 'gate-no-faces', detect_faces: false, cameras: [{ camera_id: cam.id }] });
      const targets = (await listCountingTargets(ctx.db)).filter((t) => t.camera_id === cam.id);
      expect(targets).toEqual([
        { counter_id: on.id, counter_name: 'gate', interval: 2, camera_id: cam.id, camera_name: 'counters-gate-1', camera_group_id: g.id, roi: '50x50+0+0' },
      ]);
      const before = notified.length;
      await updateCamera(ctx.db, cam.id, { comment: 'no notification for this' });
      const g2 = await createCameraGroup(ctx.db, { name: 'counters-gate-2' });
      await updateCamera(ctx.db, cam.id, { camera_group_id: g2.id });
      await expect.poll(() => notified.length).toBeGreaterThan(before);
    } finally {
      await stop();
    }
    expect(notified.length).toBeGreaterThanOrEqual(3);
  });
});
