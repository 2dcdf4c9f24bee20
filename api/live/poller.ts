// What changed in ClickHouse since the last look, for the live feed. The API process does not run the pipeline: new
// rows arrive through the sink, so the poller asks ClickHouse every `intervalMs` which face_events and episodes rows
// were written since its cursor, then reads those events and episodes in their latest version (FINAL, through the
// listings' own queries) and hands them over once for all connections.
//
// The cursor. face_events and episodes carry `inserted_at` (DEFAULT now64(3), the server's clock at insert). The
// rewrites of an event (episode link, acknowledgement: INSERT … SELECT * REPLACE) copy the old inserted_at but set
// `version` to at least the rewrite's time in ms, so "changed since T" is `inserted_at >= T OR version >= T`. Rows
// become readable some time after their inserted_at (an insert commits after taking its timestamp), so each poll
// looks back `overlapMs` before the previous poll's server time, and what was already handed over is recognised by
// content: an event or episode is handed over again only when its view changed (a sink replay, a re-read in the
// overlap, or ReplacingMergeTree's older versions are not news; an acknowledgement or an episode link is).
//
// Deduplication (docs/DEDUP.md): the verdict on an event comes with its episode link, possibly a batch after the
// event. An event of a deduplicating group's camera is therefore handed over once it has its episode (its rewrite
// is a change, so it is read again then), or after `dedupWaitMs` without one: a duplicate is never shown as kept.
import { createHash } from 'node:crypto';
import type { ClickHouseClient } from '@clickhouse/client';
import { queryEpisodes, type EpisodeView } from '../../stores/clickhouse/episodes-query.ts';
import { MAX_EVENTS_PAGE, queryEvents, type EventView } from '../../stores/clickhouse/events-query.ts';
import { TABLES } from '../../stores/clickhouse/names.ts';
import type { EventScope } from './match.ts';
import type { DedupGroups } from '../../pipelines/dedup/groups.ts';

export interface LiveEpisode {
  readonly view: EpisodeView;
  /** its stored events' group, match and lists: what its visibility and group / list filters look at */
  readonly events: readonly EventScope[];
}

export interface LiveBatch {
  /** new or changed events, oldest first */
  readonly events: readonly EventView[];
  /** new or changed episodes, by start time */
  readonly episodes: readonly LiveEpisode[];
}

export interface LivePollerOptions {
  readonly client: ClickHouseClient;
  readonly intervalMs: number;
  /** how far each poll looks back before the previous one (rows readable late); 5 s by default */
  readonly overlapMs?: number;
  /** how many events and episodes are remembered to recognise repeats; 100 000 each by default */
  readonly remember?: number;
  readonly onBatch: (batch: LiveBatch) => void;
  readonly onError: (err: unknown) => void;
  /** cameras whose group deduplicates events: their events wait for their episode link (the verdict); absent = none */
  readonly dedupGroups?: DedupGroups;
  /** how long such an event waits before it is handed over without a link (no episodes stage); 10 s by default */
  readonly dedupWaitMs?: number;
}

export interface LivePoller {
  /** reads the starting cursor (the server's now: history is not replayed), then polls until stop() */
  start(): Promise<void>;
  stop(): void;
  readonly running: boolean;
  /** one poll now (tests; the timer calls it too) */
  poll(): Promise<void>;
}

/** Remembers the digest of what was handed over per id, the oldest forgotten first. */
class Seen {
  private readonly digests = new Map<string, string>();
  constructor(private readonly max: number) {}

  /** true when `value` differs from what was last handed over for `id` (then remembered) */
  changed(id: string, value: unknown): boolean {
    const digest = createHash('sha1').update(JSON.stringify(value)).digest('base64');
    if (this.digests.get(id) === digest) return false;
    this.digests.delete(id); // re-insert: Map order is the eviction order
    this.digests.set(id, digest);
    if (this.digests.size > this.max) this.digests.delete(this.digests.keys().next().value!);
    return true;
  }
}

async function rowsOf<T>(client: ClickHouseClient, query: string, query_params: Record<string, unknown> = {}): Promise<T[]> {
  return (await client.query({ query, query_params, format: 'JSONEachRow' })).json<T>();
}

async function serverNow(client: ClickHouseClient): Promise<number> {
  const [row] = await rowsOf<{ now: string }>(client, 'SELECT toUnixTimestamp64Milli(now64(3)) AS now');
  return Number(row!.now);
}

export function createLivePoller(o: LivePollerOptions): LivePoller {
  const overlap = o.overlapMs ?? 5000;
  const seenEvents = new Seen(o.remember ?? 100_000);
  const seenEpisodes = new Seen(o.remember ?? 100_000);
  let cursor = 0;
  /** the server's time at start(): rows older than the subscription are history, not news */
  let floor = 0;
  let running = false;
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<void> | undefined;

  /** events held back for their verdict: id → server time first read */
  const awaiting = new Map<string, number>();
  const dedupWait = o.dedupWaitMs ?? 10_000;

  /** Whether `e` can be handed over now (see the header); else it is held. */
  function verdictKnown(e: EventView, now: number): boolean {
    const first = awaiting.get(e.id) ?? now;
    if (e.episodeId !== null || o.dedupGroups?.forCamera(e.camera) == null || now - first >= dedupWait) {
      awaiting.delete(e.id);
      return true;
    }
    awaiting.set(e.id, first);
    return false;
  }

  async function changedEvents(since: number, alsoIds: readonly string[]): Promise<{ events: EventView[]; episodeIds: string[] }> {
    const rows = await rowsOf<{ id: string; episode_id: string }>(
      o.client,
      `SELECT DISTINCT id, episode_id FROM ${TABLES.faceEvents}
        WHERE inserted_at >= fromUnixTimestamp64Milli({since:Int64}, 'UTC') OR version >= {since:UInt64}`,
      { since },
    );
    const ids = [...new Set([...rows.map((r) => r.id), ...alsoIds])];
    const events: EventView[] = [];
    // the listing's query, so the views are the listing's (FINAL: the latest version of each)
    for (let page: string | null = null, first = true; ids.length > 0 && (first || page !== null); first = false) {
      const got = await queryEvents(o.client, { filter: { ids }, order: 'oldest', limit: MAX_EVENTS_PAGE, cursor: page });
      events.push(...got.events);
      page = got.nextCursor;
    }
    return { events, episodeIds: [...new Set(rows.map((r) => r.episode_id).filter((id) => id !== ''))] };
  }

  /** Episodes changed since `since`, and those whose events changed (a newly stored event changes its groups). */
  async function changedEpisodes(since: number, alsoIds: readonly string[]): Promise<LiveEpisode[]> {
    const rows = await rowsOf<{ id: string }>(
      o.client,
      `SELECT DISTINCT id FROM ${TABLES.episodes} WHERE inserted_at >= fromUnixTimestamp64Milli({since:Int64}, 'UTC')`,
      { since },
    );
    const ids = [...new Set([...rows.map((r) => r.id), ...alsoIds])];
    if (ids.length === 0) return [];
    const views: EpisodeView[] = [];
    for (let page: string | null = null, first = true; first || page !== null; first = false) {
      const got = await queryEpisodes(o.client, { filter: { ids }, order: 'oldest', limit: MAX_EVENTS_PAGE, cursor: page });
      views.push(...got.episodes);
      page = got.nextCursor;
    }
    if (views.length === 0) return [];
    // No FINAL: an event's group, match and lists are the same in every version of its row (episodes-query.ts)
    const scopes = await rowsOf<{ episode_id: string; camera_group: string; matched: boolean; watch_lists: string[] }>(
      o.client,
      `SELECT DISTINCT episode_id, camera_group, matched, watch_lists FROM ${TABLES.faceEvents}
        WHERE episode_id IN {ids:Array(String)} AND ts >= fromUnixTimestamp64Milli({from:Int64}, 'UTC')`,
      { ids: views.map((v) => v.id), from: Math.min(...views.map((v) => v.startTs)) },
    );
    const byEpisode = new Map<string, EventScope[]>();
    for (const s of scopes) {
      const list = byEpisode.get(s.episode_id) ?? [];
      list.push({ cameraGroup: s.camera_group === '' ? null : s.camera_group, matched: s.matched, watchLists: s.watch_lists });
      byEpisode.set(s.episode_id, list);
    }
    return views.map((view) => ({ view, events: byEpisode.get(view.id) ?? [] }));
  }

  async function pollOnce(): Promise<void> {
    const now = await serverNow(o.client);
    const since = Math.max(cursor - overlap, floor);
    const expired = [...awaiting].filter(([, first]) => now - first >= dedupWait).map(([id]) => id);
    const { events, episodeIds } = await changedEvents(since, expired);
    const episodes = await changedEpisodes(since, episodeIds);
    cursor = now;
    const batch: LiveBatch = {
      events: events.filter((e) => verdictKnown(e, now) && seenEvents.changed(e.id, e)),
      // the event scopes are part of the digest: a stored event can make an episode visible to more readers
      episodes: episodes.filter((e) => seenEpisodes.changed(e.view.id, e)),
    };
    if (batch.events.length > 0 || batch.episodes.length > 0) o.onBatch(batch);
  }

  function poll(): Promise<void> {
    // never two polls at once: the cursor and the digests are the poller's state
    inFlight ??= pollOnce().finally(() => (inFlight = undefined));
    return inFlight;
  }

  function schedule(): void {
    if (!running) return;
    timer = setTimeout(() => {
      poll()
        .catch(o.onError)
        .finally(schedule);
    }, o.intervalMs);
  }

  return {
    get running() {
      return running;
    },
    async start() {
      if (running) return;
      running = true;
      try {
        cursor = floor = await serverNow(o.client);
      } catch (err) {
        running = false;
        throw err;
      }
      schedule();
    },
    stop() {
      running = false;
      clearTimeout(timer);
      timer = undefined;
    },
    poll,
  };
}
