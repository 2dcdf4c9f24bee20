// The in-memory filters agree with the SQL ones (eventConditions / episodeConditions) on the same rows: the live
// feed and the listings cannot drift apart. Plus the slow-client rule.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryEpisodes, type EpisodeFilter } from '../../stores/clickhouse/episodes-query.ts';
import { queryEvents, type EventFilter } from '../../stores/clickhouse/events-query.ts';
import { testChange, testEvent } from '../../stores/clickhouse/test-events.ts';
import { openTestStore, type TestStore } from '../../stores/clickhouse/testing.ts';
import { createAnalyticsWriter } from '../../stores/clickhouse/writer.ts';
import { sendBounded } from './backpressure.ts';
import { episodeMatches, eventMatches, type EventScope } from './match.ts';

let store: TestStore;
const T = Date.now() - 3600_000;

beforeAll(async () => {
  store = await openTestStore();
  const w = createAnalyticsWriter({ client: store.client, cameraGroupOf: (c) => ({ 'cam-a': '1', 'cam-b': '2' })[c] });
  await w.writeEvents([
    testEvent({ id: 'e1', ts: T, camera: 'cam-a', dossier: 'alice', watchList: 'vip', confidence: 0.9, attributes: { gender: { name: 'female', confidence: 0.9 }, age: 30 } }),
    testEvent({ id: 'e2', ts: T + 1000, camera: 'cam-a', quality: -3, attributes: { age: 60 } }),
    { ...testEvent({ id: 'e3', ts: T + 2000, camera: 'cam-b', dossier: 'bob', watchList: 'staff', confidence: 0.5 }), alert: true },
    testEvent({ id: 'e4', ts: T + 3000, camera: 'cam-c', confidence: 0.1 }),
  ]);
  await w.writeEpisodeChanges([
    testChange('open', 'p1', 'e1', { eventsCount: 1, startTs: T, endTs: T, dossier: 'alice', cameras: ['cam-a'] }),
    { ...testChange('event', 'p1', 'e3', { eventsCount: 2, startTs: T, endTs: T + 2000, dossier: 'alice', cameras: ['cam-a', 'cam-b'] }), duplicateOf: 'e1' },
    testChange('open', 'p2', 'e2', { eventsCount: 1, startTs: T + 1000, endTs: T + 1000, cameras: ['cam-a'] }),
    testChange('close', 'p2', null, { eventsCount: 1, startTs: T + 1000, endTs: T + 1000, cameras: ['cam-a'] }),
    testChange('open', 'p3', 'e4', { eventsCount: 1, startTs: T + 3000, endTs: T + 3000, cameras: ['cam-c'] }),
  ]);
});
afterAll(async () => store?.dispose());

const vis = (cameraGroups: string[], watchLists: string[], unmatched: boolean) => ({ visibleTo: { cameraGroups, watchLists, unmatched } });

const EVENT_FILTERS: EventFilter[] = [
  {},
  { from: T + 1000, to: T + 3000 },
  { ids: ['e1', 'e4'] },
  { cameras: ['cam-b'] },
  { cameraGroups: ['1'] },
  { cameraGroups: [] },
  { watchLists: ['vip', 'staff'] },
  { matched: false },
  { dossiers: ['bob'] },
  { episodes: ['p1'] },
  { acknowledged: false },
  { alert: true },
  { alert: false },
  { duplicate: true },
  { duplicate: false },
  { genders: ['female'] },
  { age: { min: 50 } },
  { quality: { max: -2 } },
  { confidence: { min: 0.9 } },
  { confidence: { min: 0.5, max: 0.5 } },
  vis(['1'], ['vip'], false),
  vis(['1', '2'], ['staff'], true),
  vis([], [], true),
];

const EPISODE_FILTERS: EpisodeFilter[] = [
  {},
  { from: T + 500 },
  { ids: ['p2'] },
  { cameras: ['cam-b'] },
  { cameraGroups: ['2'] },
  { watchLists: ['vip'] },
  { matched: true },
  { dossiers: ['alice'] },
  { open: false },
  vis(['2'], ['staff'], false),
  vis(['1'], ['staff'], false),
  vis(['1'], [], true),
  { cameraGroups: ['1'], ...vis(['2'], ['staff'], false) },
];

describe('in-memory filters', () => {
  it('pass the events the SQL filter passes', async () => {
    const all = (await queryEvents(store.client, { order: 'oldest', limit: 100 })).events;
    expect(all).toHaveLength(4);
    for (const filter of EVENT_FILTERS) {
      const sql = (await queryEvents(store.client, { filter, order: 'oldest', limit: 100 })).events.map((e) => e.id);
      expect(all.filter((e) => eventMatches(filter, e)).map((e) => e.id), JSON.stringify(filter)).toEqual(sql);
    }
  });

  it('pass the episodes the SQL filter passes', async () => {
    const all = (await queryEpisodes(store.client, { order: 'oldest', limit: 100 })).episodes;
    expect(all).toHaveLength(3);
    const events = (await queryEvents(store.client, { limit: 100 })).events;
    const scopes = (id: string): EventScope[] => events.filter((e) => e.episodeId === id);
    for (const filter of EPISODE_FILTERS) {
      const sql = (await queryEpisodes(store.client, { filter, order: 'oldest', limit: 100 })).episodes.map((e) => e.id);
      expect(all.filter((e) => episodeMatches(filter, e, scopes(e.id))).map((e) => e.id), JSON.stringify(filter)).toEqual(sql);
    }
  });
});

describe('slow clients', () => {
  it('are closed with 1008 once more than the limit is unsent, instead of buffering', () => {
    const sent: string[] = [];
    const closed: [number, string][] = [];
    const socket = { bufferedAmount: 0, readyState: 1, send: (m: string) => sent.push(m), close: (code: number, reason: string) => closed.push([code, reason]) };
    expect(sendBounded(socket, ['a', 'b'], 10)).toBe(true);
    socket.bufferedAmount = 11;
    expect(sendBounded(socket, ['c'], 10)).toBe(false);
    expect(sent).toEqual(['a', 'b']);
    expect(closed).toEqual([[1008, 'too slow: more than 10 bytes unsent']]);
  });
});
