import { expect, it } from 'vitest';
import { describeEachBackend } from '../testing/backends.ts';
import { getSettings, updateSettings } from './settings.ts';
import { createWebhook, deleteWebhook, getWebhook, listWebhooks, updateWebhook } from './webhooks.ts';

describeEachBackend('webhooks and settings', (ctx) => {
  it('creates, lists, changes and deletes a webhook with FindFace filters', async () => {
    const filters = { events: { matched: true, camera_group_in: [1, 2], confidence_gte: 0.8 }, episodes: {} };
    const hook = await createWebhook(ctx.db, { name: 'siem', url: 'https://siem.example/hook', filters, max_batch_size: 50 });
    expect(hook).toMatchObject({ name: 'siem', active: true, filters, max_batch_size: 50, max_attempts: 10, created_by: null });
    expect(await getWebhook(ctx.db, hook.id)).toEqual(hook);
    const paused = await createWebhook(ctx.db, { name: 'paused', url: 'https://x.example/', active: false });
    expect((await listWebhooks(ctx.db, { active: true })).map((h) => h.name)).toEqual(['siem']);
    expect(await updateWebhook(ctx.db, hook.id, { filters: {}, max_attempts: 3 })).toMatchObject({ filters: {}, max_attempts: 3 });
    await expect(createWebhook(ctx.db, { name: 'siem', url: 'https://y.example/' })).rejects.toMatchObject({ kind: 'unique' });
    await expect(createWebhook(ctx.db, { name: 'zero', url: 'https://y.example/', max_batch_size: 0 })).rejects.toMatchObject({ kind: 'check' });
    expect(await deleteWebhook(ctx.db, paused.id)).toBe(true);
    expect(await getWebhook(ctx.db, paused.id)).toBeUndefined();
  });

  it('stores runtime settings that differ from the defaults, and forgets one set to null', async () => {
    expect(await getSettings(ctx.db)).toEqual({});
    expect(await updateSettings(ctx.db, { confidence_threshold: 0.72, ignore_unmatched: true, events_features: ['gender', 'age'] })).toEqual({
      confidence_threshold: 0.72,
      events_features: ['gender', 'age'],
      ignore_unmatched: true,
    });
    expect(await updateSettings(ctx.db, { confidence_threshold: 0.75, ignore_unmatched: null })).toEqual({
      confidence_threshold: 0.75,
      events_features: ['gender', 'age'],
    });
    await expect(updateSettings(ctx.db, { ['Bad Key' as 'confidence_threshold']: 1 })).rejects.toMatchObject({ kind: 'check' });
    expect(await getSettings(ctx.db)).toEqual({ confidence_threshold: 0.75, events_features: ['gender', 'age'] });
  });
});
