// The events' and episodes' filters (stores/clickhouse events-query.ts, episodes-query.ts) decided in memory, for
// the live feed: one poller reads each new row once and every connection filters it here, instead of one ClickHouse
// query per connection and poll. The SQL stays the reference: match.test.ts runs the same filters through both and
// expects the same rows, so a filter added to eventConditions() without its twin here fails there.
import type { EpisodeFilter, EpisodeView } from '../../stores/clickhouse/episodes-query.ts';
import type { EventFilter, EventView, NumberRange } from '../../stores/clickhouse/events-query.ts';

/** What an episode's visibility and group / list filters look at in each of its events. */
export type EventScope = Pick<EventView, 'cameraGroup' | 'matched' | 'watchLists'>;

/** SQL's range on a Float32 column: the stored value is the float32 nearest the view's (0.9 is 0.89999997…) */
const within = (v: number, r: NumberRange): boolean => {
  const f = Math.fround(v);
  return (r.min === undefined || f >= r.min) && (r.max === undefined || f <= r.max);
};
/** SQL's `col IN (...)`; face_events stores absent values as '' (null in the view). */
const oneOf = (v: string | null, allowed: readonly string[] | undefined): boolean => allowed === undefined || allowed.includes(v ?? '');
const anyOf = (vs: readonly string[], allowed: readonly string[]): boolean => vs.some((v) => allowed.includes(v));

/** The camera groups, watch lists and reader's visibility of an EventFilter: the part an episode's events decide. */
function scopeMatches(filter: Pick<EventFilter, 'cameraGroups' | 'watchLists' | 'visibleTo'>, e: EventScope): boolean {
  if (!oneOf(e.cameraGroup, filter.cameraGroups)) return false;
  if (filter.watchLists !== undefined && !anyOf(e.watchLists, filter.watchLists)) return false;
  const v = filter.visibleTo;
  if (v !== undefined) {
    // FindFace's rule: the camera group, and a matched list or (unmatched) the Unmatched list
    if (!v.cameraGroups.includes(e.cameraGroup ?? '')) return false;
    if (e.matched ? !anyOf(e.watchLists, v.watchLists) : !v.unmatched) return false;
  }
  return true;
}

/** Whether `e` passes `filter` (eventConditions() in memory). */
export function eventMatches(filter: EventFilter, e: EventView): boolean {
  if (filter.from !== undefined && e.ts < filter.from) return false;
  if (filter.to !== undefined && e.ts >= filter.to) return false;
  if (!oneOf(e.id, filter.ids) || !oneOf(e.camera, filter.cameras)) return false;
  if (filter.matched !== undefined && e.matched !== filter.matched) return false;
  if (!oneOf(e.dossier, filter.dossiers) || !oneOf(e.episodeId, filter.episodes)) return false;
  if (filter.acknowledged !== undefined && e.acknowledged !== filter.acknowledged) return false;
  if (filter.alert !== undefined && e.alert !== filter.alert) return false;
  if (filter.duplicate !== undefined && (e.duplicateOf !== null) !== filter.duplicate) return false;
  const a = e.attributes;
  if (!oneOf(a.gender?.name ?? null, filter.genders) || !oneOf(a.emotions?.name ?? null, filter.emotions)) return false;
  if (!oneOf(a.eyes?.name ?? null, filter.eyes) || !oneOf(a.liveness?.name ?? null, filter.liveness)) return false;
  if (filter.age !== undefined && (a.age === null || !within(a.age, filter.age))) return false;
  if (filter.quality !== undefined && !within(e.quality, filter.quality)) return false;
  if (filter.confidence !== undefined && !within(e.confidence, filter.confidence)) return false;
  return scopeMatches(filter, e);
}

/** Whether the episode passes `filter` (episodeConditions() in memory); `events` are its stored events' scopes. */
export function episodeMatches(filter: EpisodeFilter, ep: EpisodeView, events: readonly EventScope[]): boolean {
  if (filter.from !== undefined && ep.startTs < filter.from) return false;
  if (filter.to !== undefined && ep.startTs >= filter.to) return false;
  if (!oneOf(ep.id, filter.ids)) return false;
  if (filter.cameras !== undefined && !anyOf(ep.cameras, filter.cameras)) return false;
  if (filter.matched !== undefined && (ep.dossier !== null) !== filter.matched) return false;
  if (!oneOf(ep.dossier, filter.dossiers)) return false;
  if (filter.open !== undefined && ep.open !== filter.open) return false;
  // as in SQL: groups, lists and visibility pass when one of the episode's events passes them all
  if (filter.cameraGroups === undefined && filter.watchLists === undefined && filter.visibleTo === undefined) return true;
  return events.some((e) => scopeMatches(filter, e));
}
