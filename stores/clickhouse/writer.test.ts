// The writer on the real engine (chdb): rows as written, idempotent re-inserts, episodes and their links to
// events in either order, acknowledgement, retention by TTL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acknowledgeEvents } from './acknowledge.ts';
import { countEvents, queryEvents } from './events-query.ts';
import { TABLES } from './names.ts';
import { queryEventStats } from './stats-query.ts';
import { createAnalyticsSink } from './sink.ts';
import { testChange, testEvent } from './test-events.ts';
import { openTestStore, rows, type TestStore } from './testing.ts';
import { createAnalyticsWriter, type AnalyticsWriter } from './writer.ts';

const MIN = 60_000;
const DAY = 86_400_000;
/** a whole minute some hours ago, so the test's events share minute buckets */
const T0 = Math.floor((Date.now() - 3 * 3_600_000) / MIN) * MIN;

let store: TestStore;
let writer: AnalyticsWriter;

beforeAll(async () => {
  store = await openTestStore({ retention: { matched_events_days: 30, unmatched_events_days: 7 } });
  writer = createAnalyticsWriter({ client: store.client, cameraGroupOf: (camera) => (camera === 'door' ? 'entrance' : undefined) });
});
afterAll(async () => {
  await store?.dispose();
});

describe('analytics writer on chdb', () => {
  it('writes an event with its attributes, candidates and vector', async () => {
    const vector = Float32Array.from([0.1, -0.2, 0.3, 0.9273618]);
    await writer.writeEvents([
      testEvent({
        id: 'full',
        ts: T0 + 1234,
        camera: 'door',
        dossier: 'alice',
        watchList: 'vip',
        confidence: 0.8,
        quality: -1.25,
        vector,
        attributes: {
          gender: { name: 'female', confidence: 0.75 },
          age: 31,
          emotions: { name: 'happy', confidence: 0.5 },
          headpose: { yaw: 10, pitch: -5, roll: 2 },
        },
      }),
    ]);
    const page = await queryEvents(store.client, { filter: { ids: ['full'] }, withEmbedding: true });
    expect(page.events).toHaveLength(1);
    const e = page.events[0]!;
    expect(e).toMatchObject({
      id: 'full',
      ts: T0 + 1234,
      camera: 'door',
      cameraGroup: 'entrance',
      matched: true,
      dossier: 'alice',
      watchLists: ['vip'],
      quality: -1.25,
      postType: 'realtime',
      bbox: { x1: 100, y1: 100, x2: 180, y2: 180 },
      attributes: {
        gender: { name: 'female', confidence: 0.75 },
        age: 31,
        emotions: { name: 'happy', confidence: 0.5 },
        eyes: null,
        liveness: null,
        headpose: { yaw: 10, pitch: -5, roll: 2 },
      },
      episodeId: null,
      acknowledged: false,
    });
    expect(e.confidence).toBeCloseTo(0.8, 6);
    expect(e.candidates.map((c) => [c.dossier, c.watchList])).toEqual([
      ['alice', 'vip'],
      ['other', 'staff'],
    ]);
    expect(Float32Array.from(e.embedding!)).toEqual(vector);
  });

  it('counts an event written again once, in the table and in the statistics', async () => {
    const batch = [0, 1, 2].map((i) => testEvent({ id: `dup-${i}`, ts: T0 + 5 * MIN + i * 1000, camera: 'hall', trackId: 'hall-t1', postNo: i + 1 }));
    await writer.writeEvents(batch);
    await writer.writeEvents(batch); // a replay
    await writer.writeEvents([batch[0]!, batch[0]!]); // a duplicate inside one batch
    const raw = await rows<{ n: string }>(store, `SELECT count() AS n FROM ${TABLES.faceEvents} FINAL WHERE camera = 'hall'`);
    expect(Number(raw[0]!.n)).toBe(3);
    expect(await countEvents(store.client, { cameras: ['hall'] })).toBe(3);
    for (const granularity of ['minute', 'hour', 'day'] as const) {
      const stats = await queryEventStats(store.client, { granularity, dimension: 'camera', values: ['hall'] });
      expect(stats.reduce((s, r) => s + r.events, 0)).toBe(3);
      expect(stats.reduce((s, r) => s + r.tracks, 0)).toBe(1);
    }
  });

  it('keeps the latest episode state and links events written before and after their change', async () => {
    const s = T0 + 10 * MIN;
    const e1 = testEvent({ id: 'ep-e1', ts: s, camera: 'lobby' });
    const e2 = testEvent({ id: 'ep-e2', ts: s + 2000, camera: 'lobby', dossier: 'bob' });
    await writer.writeEvents([e1]); // event first …
    await writer.writeEpisodeChanges([
      testChange('open', 'ep-1', 'ep-e1', { eventsCount: 1, startTs: s, endTs: s, cameras: ['lobby'] }),
      testChange('event', 'ep-1', 'ep-e2', { eventsCount: 2, startTs: s, endTs: s + 2000, dossier: 'bob', cameras: ['lobby'] }),
    ]);
    await writer.writeEvents([e2]); // … and change first
    await writer.writeEpisodeChanges([testChange('close', 'ep-1', null, { eventsCount: 2, startTs: s, endTs: s + 2000, dossier: 'bob', cameras: ['lobby'] })]);
    // a replayed older change does not win over the close
    await writer.writeEpisodeChanges([testChange('open', 'ep-1', 'ep-e1', { eventsCount: 1, startTs: s, endTs: s, cameras: ['lobby'] })]);
    const eps = await rows<{ id: string; closed: boolean; events_count: number; dossier: string; last_change: string }>(
      store,
      `SELECT id, closed, events_count, dossier, last_change FROM ${TABLES.episodes} FINAL`,
    );
    expect(eps).toEqual([{ id: 'ep-1', closed: true, events_count: 2, dossier: 'bob', last_change: 'close' }]);
    const linked = await queryEvents(store.client, { filter: { episodes: ['ep-1'] }, order: 'oldest' });
    expect(linked.events.map((e) => [e.id, e.episodeId])).toEqual([
      ['ep-e1', 'ep-1'],
      ['ep-e2', 'ep-1'],
    ]);
    // rewriting events for their links did not count them twice
    const stats = await queryEventStats(store.client, { granularity: 'minute', dimension: 'camera', values: ['lobby'] });
    expect(stats.map((r) => [r.events, r.matched])).toEqual([[2, 1]]);
    // a replay of the sink after the link does not undo it
    await writer.writeEvents([e1]);
    expect((await queryEvents(store.client, { filter: { ids: ['ep-e1'] } })).events[0]!.episodeId).toBe('ep-1');
  });

  it('acknowledges events without counting them again', async () => {
    const ts = T0 + 20 * MIN;
    await writer.writeEvents([testEvent({ id: 'ack-1', ts, camera: 'gate' }), testEvent({ id: 'ack-2', ts: ts + 1, camera: 'gate' })]);
    await acknowledgeEvents(store.client, ['ack-1'], { by: 'operator', at: Date.now() });
    const acked = await queryEvents(store.client, { filter: { cameras: ['gate'], acknowledged: true } });
    expect(acked.events.map((e) => [e.id, e.acknowledgedBy])).toEqual([['ack-1', 'operator']]);
    expect(acked.events[0]!.acknowledgedAt).toBeGreaterThan(ts);
    const open = await queryEvents(store.client, { filter: { cameras: ['gate'], acknowledged: false } });
    expect(open.events.map((e) => e.id)).toEqual(['ack-2']);
    // a replay of the sink does not undo the acknowledgement
    await writer.writeEvents([testEvent({ id: 'ack-1', ts, camera: 'gate' })]);
    expect(await countEvents(store.client, { cameras: ['gate'], acknowledged: true })).toBe(1);
    await acknowledgeEvents(store.client, ['ack-1'], { by: 'operator', at: Date.now(), acknowledged: false });
    expect(await countEvents(store.client, { cameras: ['gate'], acknowledged: false })).toBe(2);
    const stats = await queryEventStats(store.client, { granularity: 'hour', dimension: 'camera', values: ['gate'] });
    expect(stats.map((r) => r.events)).toEqual([2]);
  });

  it('deletes unmatched events after 7 days and matched after 30 (TTL from the settings)', async () => {
    const now = Date.now();
    await writer.writeEvents([
      testEvent({ id: 'old-unmatched', ts: now - 10 * DAY, camera: 'ttl' }),
      testEvent({ id: 'old-matched', ts: now - 10 * DAY, camera: 'ttl', dossier: 'carol' }),
      testEvent({ id: 'older-matched', ts: now - 40 * DAY, camera: 'ttl', dossier: 'carol' }),
      testEvent({ id: 'new-unmatched', ts: now - DAY, camera: 'ttl' }),
    ]);
    await store.client.command({ query: `OPTIMIZE TABLE ${TABLES.faceEvents} FINAL` });
    const left = await queryEvents(store.client, { filter: { cameras: ['ttl'] }, order: 'oldest' });
    expect(left.events.map((e) => e.id)).toEqual(['old-matched', 'new-unmatched']);
  });

  it('through the sink: one insert per batch, everything written at flush', async () => {
    const sink = createAnalyticsSink({ writer, batching: { maxRows: 1000, maxDelayMs: 1000 } });
    const many = Array.from({ length: 1500 }, (_, i) => testEvent({ id: `bulk-${i}`, ts: T0 + 30 * MIN + i, camera: 'bulk' }));
    await sink.addEvents(many, 0);
    expect(await countEvents(store.client, { cameras: ['bulk'] })).toBe(1000);
    await sink.flush();
    expect(await countEvents(store.client, { cameras: ['bulk'] })).toBe(1500);
    expect(sink.counts()).toMatchObject({ batchesWritten: 2, eventsWritten: 1500, pendingEvents: 0 });
  });
});
