// One connection's subscription: which feeds, the events listing's filters (read by the listing's own functions,
// eventFilterOf / episodeFilterOf), narrowed to what the connected user may see (FindFace's rule, eventVisibility),
// and the messages of a batch that pass it.
import type { EpisodeFilter } from '../../stores/clickhouse/episodes-query.ts';
import type { EventFilter } from '../../stores/clickhouse/events-query.ts';
import { eventVisibility, type Principal } from '../auth/principal.ts';
import { ApiError } from '../errors.ts';
import { list } from '../filters/query-filters.ts';
import { episodeFilterOf } from '../routes/episodes.ts';
import { eventFilterOf } from '../routes/events.ts';
import { LIVE_KINDS, type LiveKind, type LiveQuery } from '../schemas/live.ts';
import { episodeMatches, eventMatches } from './match.ts';
import type { LiveBatch } from './poller.ts';

export interface Subscription {
  readonly kinds: ReadonlySet<LiveKind>;
  readonly events: EventFilter;
  readonly episodes: EpisodeFilter;
}

/** A batch with each item's message serialised once for every connection. */
export interface LiveMessages {
  readonly batch: LiveBatch;
  /** parallel to batch.events / batch.episodes */
  readonly events: readonly string[];
  readonly episodes: readonly string[];
}

const isKind = (k: string): k is LiveKind => (LIVE_KINDS as readonly string[]).includes(k);

/** The subscription of `q` for `principal`; throws FS_ERR_VALIDATION (as the listings do) on a bad parameter. */
export function subscriptionOf(q: LiveQuery, principal: Principal): Subscription {
  const kinds = list(q.kinds) ?? [...LIVE_KINDS];
  const unknown = kinds.filter((k) => !isKind(k));
  if (unknown.length > 0) throw new ApiError('FS_ERR_VALIDATION', `kinds: unknown ${unknown.join(', ')} (events, episodes)`, 'kinds');
  const visibleTo = eventVisibility(principal);
  const visible = visibleTo ? { visibleTo } : {};
  // episodes take the filters they share with events (time, places, match, dossier); `id` names events, so an
  // episode is named by the events' `episode`
  const { id: _events, episode, ...shared } = q;
  return {
    kinds: new Set(kinds.filter(isKind)),
    events: { ...eventFilterOf(q), ...visible },
    episodes: { ...episodeFilterOf({ ...shared, ...(episode ? { id: episode } : {}) }), ...visible },
  };
}

/** The messages of `m` that `sub` lets through, events first. */
export function messagesFor(sub: Subscription, m: LiveMessages): string[] {
  const out: string[] = [];
  if (sub.kinds.has('events')) m.batch.events.forEach((e, i) => eventMatches(sub.events, e) && out.push(m.events[i]!));
  if (sub.kinds.has('episodes')) m.batch.episodes.forEach((e, i) => episodeMatches(sub.episodes, e.view, e.events) && out.push(m.episodes[i]!));
  return out;
}
