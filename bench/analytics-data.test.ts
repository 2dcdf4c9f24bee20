// The generated analytics set is what the benches claim: the product's own queries read it, its shares and links
// hold, the views counted every event, and the vectors are unit vectors of different directions.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countEvents, queryEvents } from '../stores/clickhouse/events-query.ts';
import { queryEpisodes } from '../stores/clickhouse/episodes-query.ts';
import { queryEventStats } from '../stores/clickhouse/stats-query.ts';
import { openTestStore, rows, type TestStore } from '../stores/clickhouse/testing.ts';
import { cachedDataset, CAMERAS, DAYS, fillDataset, type Dataset } from './analytics-data.ts';

const ROWS = 4000;
let store: TestStore;
let dir: string;
let dataset: Dataset;

beforeAll(async () => {
  // retention off: the set's first day is 30 days old, and the default TTLs would delete it
  store = await openTestStore({ retention: { matched_events_days: 0, unmatched_events_days: 0, episodes_days: 0, stats_minute_days: 0 } });
  dir = mkdtempSync(join(tmpdir(), 'facestream-analytics-data-'));
  dataset = await fillDataset(store.client, dir, { rows: ROWS, embeddedShare: 0.5, modelId: 'bench-model', log: () => {} });
}, 60_000);

afterAll(async () => {
  await store?.dispose();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('fillDataset', () => {
  it('writes every row over the 30 days, and a meta.json that cachedDataset reads back', async () => {
    expect(await countEvents(store.client)).toBe(ROWS);
    expect(await countEvents(store.client, { from: dataset.fromMs, to: dataset.toMs })).toBe(ROWS);
    expect(dataset.toMs - dataset.fromMs).toBe(DAYS * 86_400_000);
    expect(cachedDataset(dir)).toEqual(dataset);
  });

  it('matches about a tenth of the tracks, through the lists of their dossier', async () => {
    const matched = await countEvents(store.client, { matched: true });
    expect(matched / ROWS).toBeGreaterThan(0.05);
    expect(matched / ROWS).toBeLessThan(0.15);
    const page = await queryEvents(store.client, { filter: { matched: true }, limit: 100 });
    for (const e of page.events) {
      expect(e.dossier).not.toBeNull();
      expect(e.watchLists.length).toBeGreaterThan(0);
      expect(e.candidates[0]?.dossier).toBe(e.dossier);
    }
  });

  it('links each event to a closed episode of its track, which the episodes query completes from the events', async () => {
    const page = await queryEpisodes(store.client, { limit: 20 });
    expect(page.episodes).toHaveLength(20);
    for (const ep of page.episodes) {
      expect(ep.open).toBe(false);
      expect(ep.eventsCount).toBe(4);
      expect(ep.lastEventId).not.toBeNull();
      expect(await countEvents(store.client, { episodes: [ep.id] })).toBe(4);
    }
  });

  it('fills the statistics views: per-day counts by camera add up to every event', async () => {
    const stats = await queryEventStats(store.client, { granularity: 'day', dimension: 'camera', from: dataset.fromMs, to: dataset.toMs });
    expect(stats.reduce((s, r) => s + r.events, 0)).toBe(ROWS);
    expect(new Set(stats.map((r) => r.value)).size).toBeLessThanOrEqual(CAMERAS);
  });

  it('gives the embedded share unit vectors of different directions', async () => {
    const [v] = await rows<{ n: string; norm_min: number; norm_max: number; distinct: string }>(
      store,
      `SELECT count() AS n, min(L2Norm(embedding)) AS norm_min, max(L2Norm(embedding)) AS norm_max, uniqExact(embedding) AS distinct
       FROM face_events WHERE length(embedding) = 512`,
    );
    expect(Number(v!.n) / ROWS).toBeGreaterThan(0.4);
    expect(Number(v!.n) / ROWS).toBeLessThan(0.6);
    expect(v!.norm_min).toBeCloseTo(1, 4);
    expect(v!.norm_max).toBeCloseTo(1, 4);
    expect(Number(v!.distinct)).toBe(Number(v!.n));
  });
});
