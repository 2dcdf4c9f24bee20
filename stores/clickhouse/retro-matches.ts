// Retro matches (api/retro-match/): past events found, when a face was added to a dossier, to match it. Written to
// their own table (migrations/0005_retro_matches.sql, why in docs/CLICKHOUSE.md) and listed like events: the event
// filters apply to the event (a subquery over face_events, as acknowledgeMatching does), pages follow
// (event time, event id, dossier), and each page is completed with its events read in full by id (queryEvents).
import type { ClickHouseClient } from '@clickhouse/client';
import { decodeCursor, encodeCursor, eventConditions, EventQueryError, MAX_EVENTS_PAGE, queryEvents, type EventFilter, type EventOrder, type EventView } from './events-query.ts';
import { TABLES } from './names.ts';
import { dateTime64 } from './rows.ts';

export interface RetroMatch {
  readonly eventId: string;
  /** ms since the epoch: the event's time */
  readonly eventTs: number;
  readonly dossier: string;
  readonly dossierFace: string;
  /** the dossier's watch lists when found: who may see the match */
  readonly watchLists: readonly string[];
  readonly confidence: number;
  /** ms since the epoch */
  readonly foundAt: number;
}

/** Writes `matches`; one (event, dossier) written again keeps its most confident version (the table's version). */
export async function recordRetroMatches(client: ClickHouseClient, matches: readonly RetroMatch[]): Promise<void> {
  if (matches.length === 0) return;
  await client.insert({
    table: TABLES.retroMatches,
    values: matches.map((m) => ({
      event_id: m.eventId,
      event_ts: dateTime64(m.eventTs),
      dossier: m.dossier,
      dossier_face: m.dossierFace,
      watch_lists: m.watchLists,
      confidence: m.confidence,
      version: Math.max(0, Math.round(m.confidence * 1e6)),
      found_at: dateTime64(m.foundAt),
    })),
    format: 'JSONEachRow',
  });
}

/** Who may see a retro match (FindFace's event rule): the event's camera group and the match's watch lists. */
export interface RetroMatchVisibility {
  readonly cameraGroups: readonly string[];
  readonly watchLists: readonly string[];
}

export interface RetroMatchFilter {
  /** conditions on the event (time range, cameras, camera groups, the event's own live match …) */
  readonly event?: EventFilter;
  /** retro matches to these dossiers */
  readonly dossiers?: readonly string[];
  /** retro matches through any of these watch lists */
  readonly watchLists?: readonly string[];
  /** absent = all */
  readonly visibleTo?: RetroMatchVisibility;
}

export interface RetroMatchQuery {
  readonly filter?: RetroMatchFilter;
  /** by the event's time; newest first by default */
  readonly order?: EventOrder;
  /** 1 … 1000, 50 by default */
  readonly limit?: number;
  readonly cursor?: string | null;
}

export interface RetroMatchView extends RetroMatch {
  readonly event: EventView;
}

export interface RetroMatchPage {
  readonly matches: readonly RetroMatchView[];
  readonly nextCursor: string | null;
}

interface RetroMatchRow {
  event_id: string;
  event_ts_ms: string;
  dossier: string;
  dossier_face: string;
  watch_lists: string[];
  confidence: number;
  found_at_ms: string;
}

// the cursor's id part: the rest of the sort key (dossier ids are integers, so the first ':' separates them)
const cursorKey = (r: { dossier: string; eventId: string }) => `${r.dossier}:${r.eventId}`;
function decodeKey(key: string): { dossier: string; eventId: string } {
  const at = key.indexOf(':');
  if (at < 0) throw new EventQueryError('invalid cursor');
  return { dossier: key.slice(0, at), eventId: key.slice(at + 1) };
}

export async function queryRetroMatches(client: ClickHouseClient, query: RetroMatchQuery = {}): Promise<RetroMatchPage> {
  const limit = query.limit ?? 50;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_EVENTS_PAGE) throw new EventQueryError(`limit must be an integer in 1…${MAX_EVENTS_PAGE}`);
  const f = query.filter ?? {};
  const event = f.event ?? {};
  // the event's conditions first, taken out for the subquery; the same SqlConditions then gathers the outer ones,
  // so the parameters of both are numbered apart
  const c = eventConditions(event);
  if (f.visibleTo) c.in('camera_group', f.visibleTo.cameraGroups);
  const onEvent = c.parts.splice(0);
  // the time range again on event_ts, which prunes this table's partitions
  c.timeRange('event_ts', event.from, event.to);
  c.in('dossier', f.dossiers);
  if (f.watchLists !== undefined) c.add(`hasAny(watch_lists, ${c.param(f.watchLists, 'Array(String)')})`);
  if (f.visibleTo) c.add(`hasAny(watch_lists, ${c.param(f.visibleTo.watchLists, 'Array(String)')})`);
  if (onEvent.length > 0) c.add(`event_id IN (SELECT id FROM ${TABLES.faceEvents} FINAL WHERE ${onEvent.join(' AND ')})`);
  const newest = (query.order ?? 'newest') === 'newest';
  if (query.cursor) {
    const at = decodeCursor(query.cursor);
    const key = decodeKey(at.id);
    c.add(`(event_ts, event_id, dossier) ${newest ? '<' : '>'} (${c.msTime(at.ts)}, ${c.param(key.eventId, 'String')}, ${c.param(key.dossier, 'String')})`);
  }
  const dir = newest ? 'DESC' : 'ASC';
  const rs = await client.query({
    query: `SELECT event_id, toUnixTimestamp64Milli(event_ts) AS event_ts_ms, dossier, dossier_face, watch_lists, confidence,
        toUnixTimestamp64Milli(found_at) AS found_at_ms
      FROM ${TABLES.retroMatches} FINAL
      ${c.where()}
      ORDER BY event_ts ${dir}, event_id ${dir}, dossier ${dir}
      LIMIT ${c.param(limit + 1, 'UInt32')}`,
    query_params: c.params,
    format: 'JSONEachRow',
  });
  const rows = await rs.json<RetroMatchRow>();
  const page = rows.slice(0, limit).map(
    (r): RetroMatch => ({
      eventId: r.event_id,
      eventTs: Number(r.event_ts_ms),
      dossier: r.dossier,
      dossierFace: r.dossier_face,
      watchLists: r.watch_lists,
      confidence: Math.round(r.confidence * 1e6) / 1e6,
      foundAt: Number(r.found_at_ms),
    }),
  );
  const last = page[page.length - 1];
  const nextCursor = rows.length > limit && last ? encodeCursor(last.eventTs, cursorKey(last)) : null;
  if (page.length === 0) return { matches: [], nextCursor };
  const ids = [...new Set(page.map((m) => m.eventId))];
  const events = new Map((await queryEvents(client, { filter: { ids }, limit: ids.length })).events.map((e) => [e.id, e]));
  // an event gone since (retention) leaves its retro matches out
  const matches = page.flatMap((m) => {
    const e = events.get(m.eventId);
    return e ? [{ ...m, event: e }] : [];
  });
  return { matches, nextCursor };
}
