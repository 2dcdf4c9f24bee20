// `analyze --store`: the embedded topology with the analytics sink on writes to the embedded ClickHouse (real
// chdb) exactly the events and episodes the report has — same ids, identities, episode links — and a second run
// of the same clip into the same store changes nothing visible (deterministic ids, idempotent writes).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyze } from '../cli/analyze.ts';
import type { Report } from '../report/schema.ts';
import { openClickHouse, queryEventStats, type ClickHouseStore } from '../stores/clickhouse/index.ts';
import { DEMO_CLIP, DEMO_WATCHLIST } from './paths.ts';

// both runs date the clip alike (--start-time): an event's time is part of face_events' sorting key, so the same
// event id at another time would be another row (docs/CLICKHOUSE.md)
const START_S = Math.floor(Date.now() / 1000) - 3600;
const run = (store: string) =>
  analyze({ source: DEMO_CLIP, watchlistDir: DEMO_WATCHLIST, overrides: { ingest: { start_stream_timestamp: START_S } }, progress: false, printEvents: false, logLevel: 'silent', store });

async function rows<T>(store: ClickHouseStore, query: string): Promise<T[]> {
  return (await store.client.query({ query, format: 'JSONEachRow' })).json<T>();
}

describe('analyze --store (embedded chdb)', () => {
  let dir: string;
  let report: Report;
  let stored: Awaited<ReturnType<typeof run>>['stored'];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fs-analytics-'));
    ({ report, stored } = await run(dir));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes the report’s events and episodes, linked', async () => {
    expect(report.events.length).toBeGreaterThan(5);
    expect(stored).toEqual({ target: dir, events: report.events.length, episodeChanges: expect.any(Number) });
    const store = await openClickHouse({ kind: 'embedded', dataDir: dir });
    try {
      const events = await rows<{ id: string; camera: string; matched: boolean | number; dossier: string | null; episode_id: string }>(
        store,
        'SELECT id, camera, matched, dossier, episode_id FROM face_events FINAL ORDER BY id',
      );
      const key = (id: string, camera: string, dossier: string | null, episode: string | null) => `${id} ${camera} ${dossier || '-'} ${episode || '-'}`;
      expect(events.map((e) => key(e.id, e.camera, e.dossier, e.episode_id))).toEqual(
        report.events.map((e) => key(e.id, e.camera, e.dossier, e.episode)).sort(),
      );
      expect(events.filter((e) => Boolean(Number(e.matched))).length).toBe(report.summary.matched_events);

      const episodes = await rows<{ id: string; events_count: number | string }>(store, 'SELECT id, events_count FROM episodes FINAL ORDER BY id');
      expect(episodes.map((e) => `${e.id} ${Number(e.events_count)}`)).toEqual(report.episodes.map((e) => `${e.id} ${e.events_count}`).sort());

      // the per-minute statistics count each event once
      const stats = await queryEventStats(store.client, { granularity: 'minute', dimension: 'camera', from: 0, to: Date.now() + 60_000 });
      expect(stats.reduce((n, s) => n + Number(s.events), 0)).toBe(report.events.length);
    } finally {
      await store.close();
    }
  });

  it('a second run of the clip into the same store changes nothing visible', async () => {
    const again = await run(dir);
    expect(again.report.events.map((e) => e.id).sort()).toEqual(report.events.map((e) => e.id).sort());
    const store = await openClickHouse({ kind: 'embedded', dataDir: dir });
    try {
      const [{ n, ids }] = (await rows<{ n: string; ids: string }>(store, 'SELECT count() AS n, uniqExact(id) AS ids FROM face_events FINAL')) as [{ n: string; ids: string }];
      expect([Number(n), Number(ids)]).toEqual([report.events.length, report.events.length]);
      const stats = await queryEventStats(store.client, { granularity: 'minute', dimension: 'camera', from: 0, to: Date.now() + 60_000 });
      expect(stats.reduce((s, r) => s + Number(r.events), 0)).toBe(report.events.length);
    } finally {
      await store.close();
    }
  });
});
