// FaceEvent.alert in face_events (migration 0009): written as the matcher decided it, kept when the writer rewrites
// an event for its episode.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { TABLES } from './names.ts';
import { testChange, testEvent } from './test-events.ts';
import { openTestStore, rows, type TestStore } from './testing.ts';
import { createAnalyticsWriter } from './writer.ts';

let store: TestStore;
beforeAll(async () => {
  store = await openTestStore();
});
afterAll(async () => {
  await store?.dispose();
});

it('stores each event’s alert flag, through an episode link', async () => {
  const writer = createAnalyticsWriter({ client: store.client });
  const ts = Date.now() - 3_600_000;
  await writer.writeEvents([{ ...testEvent({ id: 'alerting', ts, camera: 'door' }), alert: true }, testEvent({ id: 'quiet', ts: ts + 1, camera: 'door' })]);
  await writer.writeEpisodeChanges([testChange('open', 'ep-1', 'alerting', { eventsCount: 1, startTs: ts, endTs: ts })]);
  const stored = await rows<{ id: string; alert: boolean; episode_id: string }>(store, `SELECT id, alert, episode_id FROM ${TABLES.faceEvents} FINAL ORDER BY id`);
  expect(stored).toEqual([
    { id: 'alerting', alert: true, episode_id: 'ep-1' },
    { id: 'quiet', alert: false, episode_id: '' },
  ]);
});
