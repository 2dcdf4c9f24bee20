// Search by face over event history on the real engine (chdb): similarity order, threshold, model, filters, and rows
// whose stored vector is missing or of another length (they are skipped, not an error).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unit } from '../../pipelines/runtime/testing/records.ts';
import { searchSimilarEvents } from './similar-events.ts';
import { testEvent } from './test-events.ts';
import { openTestStore, type TestStore } from './testing.ts';
import { createAnalyticsWriter } from './writer.ts';

const MIN = 60_000;
const T0 = Math.floor((Date.now() - 3 * 60 * MIN) / MIN) * MIN;
const MODEL = 'test-model';
const QUERY = unit([1, 0, 0, 0]);

let store: TestStore;

beforeAll(async () => {
  store = await openTestStore();
  const writer = createAnalyticsWriter({ client: store.client, cameraGroupOf: () => undefined });
  await writer.writeEvents(
    [
      { id: 'same', ts: T0, vector: unit([1, 0, 0, 0]) },
      { id: 'close', ts: T0 + MIN, vector: unit([1, 0.2, 0, 0]), camera: 'cam-b' },
      { id: 'far', ts: T0 + 2 * MIN, vector: unit([0, 1, 0, 0]) },
      { id: 'no-vector', ts: T0 + 3 * MIN, vector: new Float32Array(0) },
      { id: 'short-vector', ts: T0 + 4 * MIN, vector: unit([1, 0, 0]) },
      { id: 'long-vector', ts: T0 + 5 * MIN, vector: unit([1, 0, 0, 0, 0]) },
      { id: 'other-model', ts: T0 + 6 * MIN, vector: unit([1, 0, 0, 0]), modelId: 'other-model' },
    ].map((o) => testEvent({ ...o, modelId: o.modelId ?? MODEL })),
  );
});
afterAll(async () => {
  await store?.dispose();
});

const search = (o: { threshold?: number; order?: 'confidence' | 'newest'; cameras?: string[] } = {}) =>
  searchSimilarEvents(store.client, {
    vector: QUERY,
    modelId: MODEL,
    threshold: o.threshold ?? 0.5,
    limit: 10,
    ...(o.order ? { order: o.order } : {}),
    ...(o.cameras ? { filter: { cameras: o.cameras } } : {}),
  });

describe('search by face over events on chdb', () => {
  it('finds the similar events of the model, most similar first, skipping rows without a vector of the query length', async () => {
    const hits = await search();
    expect(hits.map((h) => h.event.id)).toEqual(['same', 'close']);
    expect(hits[0]!.confidence).toBeCloseTo(1, 5);
    expect(hits[1]!.confidence).toBeCloseTo(1 / Math.sqrt(1.04), 5);
  });

  it('keeps the threshold, the newest-first order and the events filters', async () => {
    expect((await search({ threshold: -1 })).map((h) => h.event.id)).toEqual(['same', 'close', 'far']);
    expect((await search({ order: 'newest' })).map((h) => h.event.id)).toEqual(['close', 'same']);
    expect((await search({ cameras: ['cam-b'] })).map((h) => h.event.id)).toEqual(['close']);
  });
});
