// Writes face events and episode changes to ClickHouse, idempotently: writing the same records again changes
// nothing visible (rows are replaced per id: read face_events / episodes with FINAL; the statistics count
// distinct event ids, see migrations/0004_event_stats.sql).
//
// Event ↔ episode: an event's episode is known only from the EpisodeChange that names it, which may be written
// before or after the event (two topics). Both orders end with face_events.episode_id set: events look up
// episode_events when written; changes rewrite the events already written (INSERT … SELECT, higher version). The
// deduplication verdict (duplicate_of, migrations/0011) rides on the same link and takes the same two ways.
import type { ClickHouseClient } from '@clickhouse/client';
import type { EpisodeChange, FaceEvent } from '../../schemas/records.ts';
import { TABLES } from './names.ts';
import { episodeEventRow, episodeRow, episodeVersion, faceEventRow, type EpisodeEventRow } from './rows.ts';

export interface AnalyticsWriterOptions {
  readonly client: ClickHouseClient;
  /** the camera group of a camera ('' or undefined when it has none); from PostgreSQL once the API has it */
  readonly cameraGroupOf?: (camera: string) => string | undefined | Promise<string | undefined>;
}

export interface AnalyticsWriter {
  /** Inserts the events (the last of several with one id wins). */
  writeEvents(events: readonly FaceEvent[]): Promise<void>;
  /** Inserts the episodes' latest states and links their events. */
  writeEpisodeChanges(changes: readonly EpisodeChange[]): Promise<void>;
}

export function createAnalyticsWriter(options: AnalyticsWriterOptions): AnalyticsWriter {
  const { client } = options;
  const groupOf = options.cameraGroupOf ?? (() => '');

  async function knownEpisodes(eventIds: readonly string[]): Promise<Map<string, { episodeId: string; duplicateOf: string }>> {
    const rs = await client.query({
      query: `SELECT event_id, argMax(episode_id, ts) AS episode_id, argMax(duplicate_of, ts) AS duplicate_of FROM ${TABLES.episodeEvents}
              WHERE event_id IN {ids:Array(String)} GROUP BY event_id`,
      query_params: { ids: eventIds },
      format: 'JSONEachRow',
    });
    const rows = await rs.json<{ event_id: string; episode_id: string; duplicate_of: string }>();
    return new Map(rows.map((r) => [r.event_id, { episodeId: r.episode_id, duplicateOf: r.duplicate_of }]));
  }

  return {
    async writeEvents(events) {
      if (events.length === 0) return;
      const byId = new Map<string, FaceEvent>();
      for (const e of events) byId.set(e.id, e);
      const episodes = await knownEpisodes([...byId.keys()]);
      const cameras = [...new Set([...byId.values()].map((e) => e.embedding.post.camera))];
      const groups = new Map(await Promise.all(cameras.map(async (c) => [c, (await groupOf(c)) ?? ''] as const)));
      const values = [...byId.values()].map((e) => faceEventRow(e, { cameraGroup: groups.get(e.embedding.post.camera)!, ...episodes.get(e.id) }));
      await client.insert({ table: TABLES.faceEvents, values, format: 'JSONEachRow' });
    },

    async writeEpisodeChanges(changes) {
      if (changes.length === 0) return;
      const latest = new Map<string, EpisodeChange>();
      for (const c of changes) {
        const before = latest.get(c.episodeId);
        if (!before || episodeVersion(c) >= episodeVersion(before)) latest.set(c.episodeId, c);
      }
      const links = new Map<string, EpisodeEventRow>();
      for (const c of changes) {
        const link = episodeEventRow(c);
        if (link) links.set(link.event_id, link);
      }
      await client.insert({ table: TABLES.episodes, values: [...latest.values()].map(episodeRow), format: 'JSONEachRow' });
      if (links.size === 0) return;
      await client.insert({ table: TABLES.episodeEvents, values: [...links.values()], format: 'JSONEachRow' });
      // events already written get their episode and verdict (an event lies within its episode's start..end); the
      // WHERE names columns as e.<column> because a bare name would mean the REPLACE alias of the same name
      const ids = [...links.keys()];
      const eps = ids.map((id) => links.get(id)!.episode_id);
      const dups = ids.map((id) => links.get(id)!.duplicate_of);
      const from = Math.min(...changes.map((c) => c.startTs));
      const to = Math.max(...changes.map((c) => c.endTs));
      await client.command({
        query: `INSERT INTO ${TABLES.faceEvents}
          SELECT * REPLACE (
            transform(id, {ids:Array(String)}, {eps:Array(String)}, episode_id) AS episode_id,
            transform(id, {ids:Array(String)}, {dups:Array(String)}, duplicate_of) AS duplicate_of,
            greatest(version + 1, toUInt64(toUnixTimestamp64Milli(now64(3)))) AS version
          )
          FROM ${TABLES.faceEvents} AS e FINAL
          WHERE e.ts BETWEEN fromUnixTimestamp64Milli({from:Int64}, 'UTC') AND fromUnixTimestamp64Milli({to:Int64}, 'UTC')
            AND e.id IN {ids:Array(String)}
            AND (e.episode_id != transform(e.id, {ids:Array(String)}, {eps:Array(String)}, '')
              OR e.duplicate_of != transform(e.id, {ids:Array(String)}, {dups:Array(String)}, ''))`,
        query_params: { ids, eps, dups, from, to },
      });
    },
  };
}
