// Camera-group deduplication stored and visible (docs/DEDUP.md): the verdict an episode change carries reaches
// face_events.duplicate_of (migration 0011) whether the change is written before or after its event, survives the
// writer's rewrites, and GET /events hides duplicates unless asked (`duplicate`, or the event named by id); the live
// poller holds a deduplicating group's event until its verdict, so a duplicate is never handed over as kept.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TABLES } from '../stores/clickhouse/names.ts';
import { testChange, testEvent } from '../stores/clickhouse/test-events.ts';
import { rows } from '../stores/clickhouse/testing.ts';
import { createAnalyticsWriter } from '../stores/clickhouse/writer.ts';
import { fixedDedupGroups } from '../pipelines/dedup/groups.ts';
import { createLivePoller, type LiveBatch } from './live/poller.ts';
import { listedIds, testApi, testStores, type TestStores } from './testing.ts';

const T0 = Date.now() - 3_600_000;
let stores: TestStores;
let app: FastifyInstance;

beforeAll(async () => {
  stores = await testStores();
  app = await testApi({ db: stores.db, clickhouse: stores.store.client });
  const writer = createAnalyticsWriter({ client: stores.store.client });
  const span = { startTs: T0, endTs: T0 + 5000 };
  // episode 1: events written first, then the changes (the second names the first)
  await writer.writeEvents([testEvent({ id: 'kept', ts: T0, camera: 'lobby-1', dossier: 'alice' }), testEvent({ id: 'again', ts: T0 + 5000, camera: 'lobby-2', dossier: 'alice' })]);
  await writer.writeEpisodeChanges([
    testChange('open', 'ep-1', 'kept', { eventsCount: 1, ...span }),
    { ...testChange('event', 'ep-1', 'again', { eventsCount: 2, ...span }), duplicateOf: 'kept' },
  ]);
  // episode 2: the change first, then its event
  await writer.writeEpisodeChanges([
    testChange('open', 'ep-2', 'other', { eventsCount: 1, startTs: T0 + 6000, endTs: T0 + 6000 }),
    { ...testChange('event', 'ep-2', 'late', { eventsCount: 2, startTs: T0 + 6000, endTs: T0 + 7000 }), duplicateOf: 'other' },
  ]);
  await writer.writeEvents([testEvent({ id: 'other', ts: T0 + 6000, camera: 'lobby-1' }), testEvent({ id: 'late', ts: T0 + 7000, camera: 'lobby-2' })]);
});
afterAll(async () => {
  await app?.close();
  await stores?.close();
});

describe('event duplicates', () => {
  it('face_events.duplicate_of holds the verdict in both arrival orders, beside the episode link', async () => {
    const stored = await rows<{ id: string; episode_id: string; duplicate_of: string }>(
      stores.store,
      `SELECT id, episode_id, duplicate_of FROM ${TABLES.faceEvents} FINAL ORDER BY id`,
    );
    expect(stored).toEqual([
      { id: 'again', episode_id: 'ep-1', duplicate_of: 'kept' },
      { id: 'kept', episode_id: 'ep-1', duplicate_of: '' },
      { id: 'late', episode_id: 'ep-2', duplicate_of: 'other' },
      { id: 'other', episode_id: 'ep-2', duplicate_of: '' },
    ]);
  });

  it('GET /events: duplicates hidden by default, listed with duplicate=true, shown when named by id', async () => {
    const ids = (q: string) => listedIds(app, `/api/v1/events?ordering=created_date&${q}`);
    expect(await ids('')).toEqual(['kept', 'other']);
    expect(await ids('duplicate=false')).toEqual(['kept', 'other']);
    expect(await ids('duplicate=true')).toEqual(['again', 'late']);
    expect(await ids('id=kept,again')).toEqual(['kept', 'again']);
    const one = JSON.parse((await app.inject({ method: 'GET', url: '/api/v1/events/again' })).body);
    expect(one).toMatchObject({ id: 'again', duplicate_of: 'kept', episode: 'ep-1' });
    const bad = await app.inject({ method: 'GET', url: '/api/v1/events?duplicate=maybe' });
    expect(bad.statusCode).toBe(400);
  });

  it('live: an event of a deduplicating group is handed over once its verdict is stored, or after the wait', async () => {
    const batches: LiveBatch[] = [];
    const poller = createLivePoller({
      client: stores.store.client,
      intervalMs: 60_000,
      overlapMs: 0,
      onBatch: (b) => batches.push(b),
      onError: (err) => { throw err; },
      dedupGroups: fixedDedupGroups([{ camera_id: 1, camera_name: 'hall-1', camera_group_id: 1, deduplicate_delay: 15 }]),
      dedupWaitMs: 300,
    });
    const handed = () => batches.splice(0).flatMap((b) => b.events.map((e) => [e.id, e.duplicateOf]));
    const writer = createAnalyticsWriter({ client: stores.store.client });
    const t = Date.now() - 60_000;
    await poller.start();
    try {
      await writer.writeEvents([testEvent({ id: 'h1', ts: t, camera: 'hall-1', dossier: 'bob' }), testEvent({ id: 'h2', ts: t + 1000, camera: 'hall-1', dossier: 'bob' }), testEvent({ id: 's1', ts: t, camera: 'street-1' })]);
      await poller.poll();
      expect(handed()).toEqual([['s1', null]]);
      await writer.writeEpisodeChanges([
        testChange('open', 'ep-h', 'h1', { eventsCount: 1, startTs: t, endTs: t }),
        { ...testChange('event', 'ep-h', 'h2', { eventsCount: 2, startTs: t, endTs: t + 1000 }), duplicateOf: 'h1' },
      ]);
      await poller.poll();
      expect(handed()).toEqual([['h1', null], ['h2', 'h1']]);
      await writer.writeEvents([testEvent({ id: 'h3', ts: t + 2000, camera: 'hall-1' })]);
      await poller.poll();
      expect(handed()).toEqual([]);
      await new Promise((r) => setTimeout(r, 400));
      await poller.poll();
      expect(handed()).toEqual([['h3', null]]);
    } finally {
      poller.stop();
    }
  });
});
