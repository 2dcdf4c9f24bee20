// Event filters, cursor pagination and statistics against known rows on the real engine (chdb).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeCursor, EventQueryError, queryEvents, type EventFilter } from './events-query.ts';
import { queryEventStats } from './stats-query.ts';
import { testChange, testEvent, type TestEventOptions } from './test-events.ts';
import { openTestStore, type TestStore } from './testing.ts';
import { createAnalyticsWriter } from './writer.ts';

const S = 1000;
const MIN = 60 * S;
const HOUR = 60 * MIN;
/** the start of an hour some hours ago */
const T0 = Math.floor((Date.now() - 5 * HOUR) / HOUR) * HOUR;

const EVENTS: TestEventOptions[] = [
  { id: 'a1', ts: T0 + 10 * S, camera: 'cam-a', dossier: 'alice', watchList: 'vip', confidence: 0.9, quality: -0.5, attributes: { gender: { name: 'female', confidence: 0.9 }, age: 30, emotions: { name: 'happy', confidence: 0.6 } } },
  { id: 'a2', ts: T0 + 20 * S, camera: 'cam-a', confidence: 0.3, quality: -3, attributes: { gender: { name: 'male', confidence: 0.8 }, age: 50 } },
  { id: 'a3', ts: T0 + 65 * S, camera: 'cam-a', dossier: 'bob', watchList: 'staff', confidence: 0.8, quality: -1, attributes: { liveness: { name: 'real', confidence: 0.99 } } },
  { id: 'b1', ts: T0 + 30 * S, camera: 'cam-b', confidence: 0.1, quality: -2, attributes: { eyes: { name: 'closed', confidence: 0.7 } } },
  { id: 'b2', ts: T0 + 61 * MIN, camera: 'cam-b', dossier: 'alice', watchList: 'staff', confidence: 0.95, quality: 0 },
  { id: 'c1', ts: T0 + 2 * MIN, camera: 'cam-c', confidence: 0, quality: -4 },
  { id: 'tie-x', ts: T0 + 3 * MIN, camera: 'cam-c', confidence: 0, quality: -4 },
  { id: 'tie-y', ts: T0 + 3 * MIN, camera: 'cam-c', confidence: 0, quality: -4 },
];
const GROUPS: Record<string, string> = { 'cam-a': 'g1', 'cam-b': 'g2' };

let store: TestStore;

beforeAll(async () => {
  store = await openTestStore();
  const writer = createAnalyticsWriter({ client: store.client, cameraGroupOf: (camera) => GROUPS[camera] });
  await writer.writeEvents(EVENTS.map(testEvent));
  await writer.writeEpisodeChanges([
    testChange('open', 'ep-a', 'a1', { eventsCount: 1, startTs: T0 + 10 * S, endTs: T0 + 10 * S, dossier: 'alice', cameras: ['cam-a'] }),
    testChange('event', 'ep-a', 'a2', { eventsCount: 2, startTs: T0 + 10 * S, endTs: T0 + 20 * S, dossier: 'alice', cameras: ['cam-a'] }),
  ]);
});
afterAll(async () => {
  await store?.dispose();
});

async function ids(filter: EventFilter): Promise<string[]> {
  const page = await queryEvents(store.client, { filter, limit: 1000 });
  return page.events.map((e) => e.id).sort();
}

describe('event filters on chdb', () => {
  const cases: Array<[string, EventFilter, string[]]> = [
    ['everything', {}, ['a1', 'a2', 'a3', 'b1', 'b2', 'c1', 'tie-x', 'tie-y']],
    ['time range [from, to)', { from: T0 + 20 * S, to: T0 + 65 * S }, ['a2', 'b1']],
    ['cameras', { cameras: ['cam-a'] }, ['a1', 'a2', 'a3']],
    ['camera groups', { cameraGroups: ['g2'] }, ['b1', 'b2']],
    ['matched', { matched: true }, ['a1', 'a3', 'b2']],
    ['no_match', { matched: false }, ['a2', 'b1', 'c1', 'tie-x', 'tie-y']],
    ['dossier', { dossiers: ['alice'] }, ['a1', 'b2']],
    ['watch list', { watchLists: ['staff'] }, ['a3', 'b2']],
    ['episode', { episodes: ['ep-a'] }, ['a1', 'a2']],
    ['gender class', { genders: ['female'] }, ['a1']],
    ['gender classes', { genders: ['male', 'female'] }, ['a1', 'a2']],
    ['emotion class', { emotions: ['happy'] }, ['a1']],
    ['eyes class', { eyes: ['closed'] }, ['b1']],
    ['liveness class', { liveness: ['real'] }, ['a3']],
    ['age range', { age: { min: 40 } }, ['a2']],
    ['quality at least -1', { quality: { min: -1 } }, ['a1', 'a3', 'b2']],
    ['quality range', { quality: { min: -3, max: -2 } }, ['a2', 'b1']],
    ['confidence', { confidence: { min: 0.85 } }, ['a1', 'b2']],
    ['acknowledged', { acknowledged: true }, []],
    ['combined: camera and no_match', { cameras: ['cam-a'], matched: false }, ['a2']],
    ['empty list matches nothing', { cameras: [] }, []],
  ];
  it.each(cases)('%s', async (_name, filter, expected) => {
    expect(await ids(filter)).toEqual(expected);
  });
});

describe('cursor pagination on chdb', () => {
  const byTime = [...EVENTS].sort((a, b) => a.ts - b.ts || (a.id < b.id ? -1 : 1)).map((e) => e.id);

  async function allPages(order: 'newest' | 'oldest', limit: number, filter: EventFilter = {}): Promise<string[][]> {
    const pages: string[][] = [];
    let cursor: string | null = null;
    do {
      const page = await queryEvents(store.client, { filter, order, limit, cursor });
      pages.push(page.events.map((e) => e.id));
      cursor = page.nextCursor;
    } while (cursor !== null && pages.length < 20);
    return pages;
  }

  it('walks newest first by (ts, id), ties included, without repeats', async () => {
    const pages = await allPages('newest', 3);
    expect(pages.map((p) => p.length)).toEqual([3, 3, 2]);
    expect(pages.flat()).toEqual([...byTime].reverse());
  });

  it('walks oldest first, and a page that ends the list has no cursor', async () => {
    expect((await allPages('oldest', 2)).flat()).toEqual(byTime);
    expect(await allPages('oldest', 8)).toEqual([byTime]);
  });

  it('keeps the filter across pages', async () => {
    expect((await allPages('oldest', 1, { cameras: ['cam-c'] })).flat()).toEqual(['c1', 'tie-x', 'tie-y']);
  });

  it('starts after the cursor position', async () => {
    const page = await queryEvents(store.client, { order: 'oldest', cursor: encodeCursor(T0 + 3 * MIN, 'tie-x'), limit: 10 });
    expect(page.events.map((e) => e.id)).toEqual(['tie-y', 'b2']);
  });

  it('refuses a bad cursor or limit', async () => {
    await expect(queryEvents(store.client, { cursor: 'not-a-cursor' })).rejects.toThrow(EventQueryError);
    await expect(queryEvents(store.client, { limit: 0 })).rejects.toThrow(EventQueryError);
    await expect(queryEvents(store.client, { limit: 1001 })).rejects.toThrow(EventQueryError);
  });
});

describe('statistics on chdb', () => {
  it('per minute by camera', async () => {
    const rows = await queryEventStats(store.client, { granularity: 'minute', dimension: 'camera', values: ['cam-a'] });
    expect(rows.map((r) => [r.bucket - T0, r.events, r.matched, r.unmatched, r.tracks])).toEqual([
      [0, 2, 1, 1, 2],
      [MIN, 1, 1, 0, 1],
    ]);
    expect(rows[0]!.maxConfidence).toBeCloseTo(0.9, 6);
  });

  it('per minute, limited to a time range', async () => {
    const rows = await queryEventStats(store.client, { granularity: 'minute', dimension: 'camera', from: T0 + MIN, to: T0 + 3 * MIN });
    expect(rows.map((r) => [r.bucket - T0, r.value, r.events])).toEqual([
      [MIN, 'cam-a', 1],
      [2 * MIN, 'cam-c', 1],
    ]);
  });

  it('per hour by camera group', async () => {
    const rows = await queryEventStats(store.client, { granularity: 'hour', dimension: 'camera_group' });
    expect(rows.map((r) => [r.bucket - T0, r.value, r.events, r.matched])).toEqual([
      [0, 'g1', 3, 2],
      [0, 'g2', 1, 0],
      [HOUR, 'g2', 1, 1],
    ]);
  });

  it('per day by watch list and by dossier', async () => {
    const total = async (dimension: 'watch_list' | 'dossier') => {
      const sums = new Map<string, number>();
      for (const r of await queryEventStats(store.client, { granularity: 'day', dimension })) sums.set(r.value, (sums.get(r.value) ?? 0) + r.events);
      return Object.fromEntries(sums);
    };
    expect(await total('watch_list')).toEqual({ vip: 1, staff: 2 });
    expect(await total('dossier')).toEqual({ alice: 2, bob: 1 });
    const days = await queryEventStats(store.client, { granularity: 'day', dimension: 'camera', values: ['cam-c'] });
    expect(days.map((r) => [r.bucket % 86_400_000, r.events])).toEqual([[0, 3]]);
  });
});
