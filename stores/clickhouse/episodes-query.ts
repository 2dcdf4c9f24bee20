// Episodes for the API (FindFace /episodes/): the episodes table read FINAL (the latest change of each episode
// wins, migrations/0002_episodes.sql), filtered, ordered by start time, cursor pages on (start_ts, id), each episode
// completed from its events in face_events (camera groups, watch lists, last and first matched event,
// acknowledgement), which the episode changes do not carry.
import type { ClickHouseClient } from '@clickhouse/client';
import { decodeCursor, encodeCursor, eventConditions, EventQueryError, MAX_EVENTS_PAGE, type EventFilter, type EventOrder } from './events-query.ts';
import { TABLES } from './names.ts';
import { SqlConditions } from './sql-params.ts';

/**
 * The events' filter fields, read for an episode: `from`/`to` bound its start, `cameras` are the cameras it saw,
 * `matched`/`dossiers` its dossier; camera groups, watch lists and visibility are its events' (an episode passes
 * when one of its events does).
 */
export interface EpisodeFilter extends Pick<EventFilter, 'from' | 'to' | 'ids' | 'cameras' | 'cameraGroups' | 'watchLists' | 'matched' | 'dossiers' | 'visibleTo'> {
  /** true: still open (FindFace's LIVE); false: closed */
  readonly open?: boolean;
}

export interface EpisodeView {
  readonly id: string;
  readonly scope: string;
  readonly open: boolean;
  readonly eventsCount: number;
  /** ms since the epoch: the first event, the latest event so far */
  readonly startTs: number;
  readonly endTs: number;
  readonly bestEventId: string;
  /** the latest event of the episode; null when none of its events is stored (yet) */
  readonly lastEventId: string | null;
  /** the first matched event; null when none matched */
  readonly matchedEventId: string | null;
  readonly dossier: string | null;
  readonly cameras: readonly string[];
  readonly cameraGroups: readonly string[];
  readonly watchLists: readonly string[];
  /** every stored event of the episode is acknowledged */
  readonly acknowledged: boolean;
}

export interface EpisodePage {
  readonly episodes: readonly EpisodeView[];
  readonly nextCursor: string | null;
}

/** Adds the conditions of `filter` on episodes columns; camera groups and watch lists through the episode's events. */
function episodeConditions(filter: EpisodeFilter, c = new SqlConditions()): SqlConditions {
  c.timeRange('start_ts', filter.from, filter.to);
  c.in('id', filter.ids);
  if (filter.cameras !== undefined) c.add(`hasAny(cameras, ${c.param(filter.cameras, 'Array(String)')})`);
  if (filter.matched !== undefined) c.add(filter.matched ? "dossier != ''" : "dossier = ''");
  c.in('dossier', filter.dossiers);
  if (filter.open !== undefined) c.add(filter.open ? 'NOT closed' : 'closed');
  // camera groups, watch lists and visibility are the events': an episode passes when one of its events does
  const byEvents: EventFilter = {
    ...(filter.cameraGroups ? { cameraGroups: filter.cameraGroups } : {}),
    ...(filter.watchLists ? { watchLists: filter.watchLists } : {}),
    ...(filter.visibleTo ? { visibleTo: filter.visibleTo } : {}),
  };
  if (Object.keys(byEvents).length > 0) {
    // No FINAL: an event's group and lists are the same in every version of its row, and the versions before the
    // episode link have episode_id = ''. Events are never older than their episode, hence the time bound.
    const before = c.parts.length;
    eventConditions({ ...byEvents, ...(filter.from !== undefined ? { from: filter.from } : {}) }, c);
    // the event conditions (their parameters stay in `c`) become the subquery's WHERE
    const own = c.parts.splice(before);
    c.add(`id IN (SELECT episode_id FROM ${TABLES.faceEvents} WHERE episode_id != '' AND ${own.join(' AND ')})`);
  }
  return c;
}

interface EpisodeDbRow {
  id: string;
  scope: string;
  closed: boolean;
  events_count: number;
  start_ms: string;
  end_ms: string;
  best_event_id: string;
  last_event_id: string;
  dossier: string;
  cameras: string[];
}

interface EpisodeEventsRow {
  episode_id: string;
  camera_groups: string[];
  watch_lists: string[];
  last_event: string;
  matched_event: string;
  acknowledged: boolean;
}

/** What the episodes' stored events add: one query for a whole page, bounded by the page's time span. */
async function fromEvents(client: ClickHouseClient, rows: readonly EpisodeDbRow[]): Promise<Map<string, EpisodeEventsRow>> {
  if (rows.length === 0) return new Map();
  const c = new SqlConditions();
  c.in('episode_id', rows.map((r) => r.id));
  c.timeRange('ts', Math.min(...rows.map((r) => Number(r.start_ms))), Math.max(...rows.map((r) => Number(r.end_ms))) + 1);
  const rs = await client.query({
    query: `SELECT episode_id,
        arrayFilter(g -> g != '', groupUniqArray(camera_group)) AS camera_groups,
        arraySort(groupUniqArrayArray(watch_lists)) AS watch_lists,
        argMax(id, (ts, id)) AS last_event,
        argMinIf(id, (ts, id), matched) AS matched_event,
        min(acknowledged) AS acknowledged
      FROM ${TABLES.faceEvents} FINAL
      ${c.where()}
      GROUP BY episode_id`,
    query_params: c.params,
    format: 'JSONEachRow',
  });
  return new Map((await rs.json<EpisodeEventsRow>()).map((r) => [r.episode_id, r]));
}

const orNull = (s: string | undefined): string | null => (s === undefined || s === '' ? null : s);

function toView(r: EpisodeDbRow, e: EpisodeEventsRow | undefined): EpisodeView {
  return {
    id: r.id,
    scope: r.scope,
    open: !r.closed,
    eventsCount: r.events_count,
    startTs: Number(r.start_ms),
    endTs: Number(r.end_ms),
    bestEventId: r.best_event_id,
    // a close change carries no event: the latest stored event tells it then
    lastEventId: orNull(e?.last_event) ?? orNull(r.last_event_id),
    matchedEventId: orNull(e?.matched_event),
    dossier: orNull(r.dossier),
    cameras: [...r.cameras].sort(),
    cameraGroups: [...(e?.camera_groups ?? [])].sort(),
    watchLists: e?.watch_lists ?? [],
    acknowledged: e?.acknowledged ?? false,
  };
}

/** One page of episodes matching `query.filter`, by start time (ties by id), newest first by default. */
export async function queryEpisodes(
  client: ClickHouseClient,
  query: { readonly filter?: EpisodeFilter; readonly order?: EventOrder; readonly limit?: number; readonly cursor?: string | null } = {},
): Promise<EpisodePage> {
  const limit = query.limit ?? 50;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_EVENTS_PAGE) throw new EventQueryError(`limit must be an integer in 1…${MAX_EVENTS_PAGE}`);
  const newest = (query.order ?? 'newest') === 'newest';
  const c = episodeConditions(query.filter ?? {});
  if (query.cursor) {
    const at = decodeCursor(query.cursor);
    c.add(`(start_ts, id) ${newest ? '<' : '>'} (${c.msTime(at.ts)}, ${c.param(at.id, 'String')})`);
  }
  const dir = newest ? 'DESC' : 'ASC';
  const rs = await client.query({
    query: `SELECT id, scope, closed, events_count, toUnixTimestamp64Milli(start_ts) AS start_ms, toUnixTimestamp64Milli(end_ts) AS end_ms,
        best_event_id, last_event_id, dossier, cameras
      FROM ${TABLES.episodes} FINAL
      ${c.where()}
      ORDER BY start_ts ${dir}, id ${dir}
      LIMIT ${c.param(limit + 1, 'UInt32')}`,
    query_params: c.params,
    format: 'JSONEachRow',
  });
  const rows = await rs.json<EpisodeDbRow>();
  const page = rows.slice(0, limit);
  const events = await fromEvents(client, page);
  const episodes = page.map((r) => toView(r, events.get(r.id)));
  const last = episodes[episodes.length - 1];
  return { episodes, nextCursor: rows.length > limit && last ? encodeCursor(last.startTs, last.id) : null };
}

/** The episode `id` (if `filter` lets it through), or undefined. */
export async function getEpisode(client: ClickHouseClient, id: string, filter: EpisodeFilter = {}): Promise<EpisodeView | undefined> {
  return (await queryEpisodes(client, { filter: { ...filter, ids: [id] }, limit: 1 })).episodes[0];
}
