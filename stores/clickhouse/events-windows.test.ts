// Event pages over weeks of events on the real engine (chdb): queryEvents looks for a page in widening time windows
// (an hour, a day, a week, the rest); every walk, in either order, with time bounds, filters and cursors, must give
// the events of one ordering of the whole range, as if read in one query.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryEvents, type EventFilter, type EventOrder } from './events-query.ts';
import { testEvent } from './test-events.ts';
import { openTestStore, type TestStore } from './testing.ts';
import { createAnalyticsWriter } from './writer.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const NOW = Math.floor(Date.now() / MIN) * MIN;

/** ages before now, so the events fall in every window: the first hour, the day, the week and beyond */
const AGES = [2 * MIN, 10 * MIN, 10 * MIN, 50 * MIN, 70 * MIN, 5 * HOUR, 23 * HOUR, 30 * HOUR, 3 * DAY, 6 * DAY, 8 * DAY, 15 * DAY, 25 * DAY];
const EVENTS = AGES.map((age, i) => ({ id: `e${String(i).padStart(2, '0')}`, ts: NOW - age, camera: i % 3 === 0 ? 'cam-x' : 'cam-y' }));

let store: TestStore;

beforeAll(async () => {
  store = await openTestStore();
  const writer = createAnalyticsWriter({ client: store.client, cameraGroupOf: () => undefined });
  await writer.writeEvents(EVENTS.map(testEvent));
});
afterAll(async () => {
  await store?.dispose();
});

/** the ids of the events `filter` selects, in `order`, ties by id, from the list itself */
function expected(order: EventOrder, filter: EventFilter): string[] {
  const picked = EVENTS.filter(
    (e) => (filter.from === undefined || e.ts >= filter.from) && (filter.to === undefined || e.ts < filter.to) && (filter.cameras?.includes(e.camera) ?? true),
  );
  const byTime = picked.sort((a, b) => a.ts - b.ts || (a.id < b.id ? -1 : 1)).map((e) => e.id);
  return order === 'newest' ? byTime.reverse() : byTime;
}

async function walk(order: EventOrder, limit: number, filter: EventFilter): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | null = null;
  for (let pages = 0; pages < 50; pages++) {
    const page = await queryEvents(store.client, { filter, order, limit, cursor });
    ids.push(...page.events.map((e) => e.id));
    cursor = page.nextCursor;
    if (cursor === null) break;
  }
  return ids;
}

describe('event pages across time windows on chdb', () => {
  const filters: Array<[string, EventFilter]> = [
    ['no filter', {}],
    ['one camera (a few events a window)', { cameras: ['cam-x'] }],
    ['from and to inside the weeks', { from: NOW - 10 * DAY, to: NOW - HOUR }],
    ['only from', { from: NOW - 2 * DAY }],
    ['only to', { to: NOW - 4 * DAY }],
    ['a range that holds nothing', { from: NOW - 40 * DAY, to: NOW - 30 * DAY }],
  ];
  const cases = filters.flatMap(([name, filter]) =>
    (['newest', 'oldest'] as const).flatMap((order) => [1, 2, 5, 100].map((limit) => [`${name}, ${order} first, ${limit} a page`, order, limit, filter] as const)),
  );
  it.each(cases)('%s', async (_name, order, limit, filter) => {
    expect(await walk(order, limit, filter)).toEqual(expected(order, filter));
  });

  it('a page by ids is one lookup, whatever the times', async () => {
    const page = await queryEvents(store.client, { filter: { ids: ['e12', 'e00', 'e07'] }, order: 'oldest', limit: 10 });
    expect(page.events.map((e) => e.id)).toEqual(['e12', 'e07', 'e00']);
  });
});
