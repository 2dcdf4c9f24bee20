// FindFace episode rules ("Configure Episodes") as pure functions of (state, input) → (state, changes).
// An event looks back episode_search_interval for similar events (≥ episodes_threshold), keeps the
// recent_similar_faces most recent, and joins the LIVE episode of the most similar one; otherwise it opens an
// episode. Episodes close episode_max_duration after opening or episode_event_timeout after their last event,
// judged by event time on each event (stream time) and by arrival on the wall clock (punctuation), so files
// processed slower or faster than real time never close episodes early.
import type { EpisodeChange, EpisodeChangeKind, FaceEvent } from '../../schemas/records.ts';
import type { EpisodesConfig } from './config.ts';

export interface EventRef {
  readonly id: string;
  readonly quality: number;
  readonly confidence: number;
}

export interface LiveEpisode {
  readonly id: string;
  readonly scope: string;
  readonly openedTs: number;
  readonly openedT: number;
  readonly lastTs: number;
  readonly lastT: number;
  /** wall clock when the first / last event arrived */
  readonly openedWall: number;
  readonly lastWall: number;
  readonly eventsCount: number;
  readonly best: EventRef;
  /** FindFace's matched_event: the dossier of the first matched event */
  readonly dossier: string | null;
  /** sorted */
  readonly cameras: readonly string[];
  /** `camera\0trackId` of the tracks whose events are in the episode */
  readonly tracks: readonly string[];
}

export interface RecentEvent {
  readonly id: string;
  readonly episodeId: string;
  readonly ts: number;
  readonly vector: Float32Array;
}

export interface EpisodesState {
  /** in opening order */
  readonly live: readonly LiveEpisode[];
  /** events of the last episode_search_interval, in arrival order */
  readonly recent: readonly RecentEvent[];
}

export const emptyEpisodes: EpisodesState = { live: [], recent: [] };

export interface EpisodesStep {
  readonly state: EpisodesState;
  readonly changes: readonly EpisodeChange[];
}

export function toChange(ep: LiveEpisode, kind: EpisodeChangeKind, eventId: string | null): EpisodeChange {
  return {
    kind,
    episodeId: ep.id,
    scope: ep.scope,
    eventId,
    duplicateOf: null, // the deduplication verdict is the stage's (pipelines/dedup/hook.ts)
    bestEventId: ep.best.id,
    eventsCount: ep.eventsCount,
    dossier: ep.dossier,
    cameras: ep.cameras,
    startTs: ep.openedTs,
    endTs: ep.lastTs,
    startT: ep.openedT,
    endT: ep.lastT,
  };
}

/** How similar a recent event is to the new one: the cosine of their (L2-normalised) vectors. */
export type Similarity = (recent: RecentEvent, event: FaceEvent) => number;

/** The dot product, computed here; the stage may give precomputed scores of a whole batch instead. */
export const dotSimilarity: Similarity = (recent, event) => {
  const a = recent.vector;
  const b = event.embedding.vector;
  if (a.length !== b.length) return -Infinity;
  let s0 = 0;
  let s1 = 0;
  let i = 0;
  for (; i + 1 < a.length; i += 2) {
    s0 += (a[i] as number) * (b[i] as number);
    s1 += (a[i + 1] as number) * (b[i + 1] as number);
  }
  if (i < a.length) s0 += (a[i] as number) * (b[i] as number);
  return s0 + s1;
};

/** Best event: higher quality, then higher confidence; the earlier event keeps a full tie. */
function betterEvent(a: EventRef, b: EventRef): boolean {
  return a.quality !== b.quality ? a.quality > b.quality : a.confidence > b.confidence;
}

const trackKey = (e: FaceEvent): string => `${e.embedding.post.camera}\u0000${e.embedding.post.trackId}`;
const eventTs = (e: FaceEvent): number => e.embedding.post.frame.ts;
const eventRef = (e: FaceEvent): EventRef => ({ id: e.id, quality: e.embedding.post.face.quality, confidence: e.confidence });

export function dueByStream(ep: LiveEpisode, ts: number, cfg: EpisodesConfig): boolean {
  return ts - ep.openedTs >= cfg.episode_max_duration * 1000 || ts - ep.lastTs >= cfg.episode_event_timeout * 1000;
}

export function dueByWall(ep: LiveEpisode, now: number, cfg: EpisodesConfig): boolean {
  return now - ep.openedWall >= cfg.episode_max_duration * 1000 || now - ep.lastWall >= cfg.episode_event_timeout * 1000;
}

/** Closes the live episodes `due` selects, in opening order. */
export function closeWhere(state: EpisodesState, due: (ep: LiveEpisode) => boolean): EpisodesStep {
  const live = [...state.live];
  const changes: EpisodeChange[] = [];
  closeIn(live, due, changes);
  return { state: { ...state, live }, changes };
}

/** Takes the episodes `due` selects out of `live` (in place), a close change each into `changes`, in opening order. */
function closeIn(live: LiveEpisode[], due: (ep: LiveEpisode) => boolean, changes: EpisodeChange[], closed?: (ep: LiveEpisode) => void): void {
  let kept = 0;
  for (const ep of live) {
    if (due(ep)) {
      changes.push(toChange(ep, 'close', null));
      closed?.(ep);
    } else live[kept++] = ep;
  }
  live.length = kept;
}

export function closeAll(state: EpisodesState): EpisodesStep {
  return closeWhere(state, () => true);
}

/** Where chooseEpisode finds live episodes: by a track in them, and by id. */
export interface LiveIndex {
  /** the first live episode (in opening order) holding the track */
  withTrack(key: string): LiveEpisode | undefined;
  byId(id: string): LiveEpisode | undefined;
}

/**
 * The live episodes by id and by track. onEvents keeps one up to date over a batch (`put` after an episode opens or
 * grows, `closed`); the track map is rebuilt when it could have gone stale (an episode closed, a track in two).
 */
class LiveEpisodes implements LiveIndex {
  private readonly ids = new Map<string, LiveEpisode>();
  /** track → id of the first live episode holding it; undefined until needed again */
  private tracks: Map<string, string> | undefined;

  constructor(private readonly live: readonly LiveEpisode[]) {
    for (const ep of live) this.ids.set(ep.id, ep);
  }

  withTrack(key: string): LiveEpisode | undefined {
    if (!this.tracks) {
      this.tracks = new Map();
      for (const ep of this.live) for (const t of ep.tracks) if (!this.tracks.has(t)) this.tracks.set(t, ep.id);
    }
    const id = this.tracks.get(key);
    return id === undefined ? undefined : this.ids.get(id);
  }

  byId(id: string): LiveEpisode | undefined {
    return this.ids.get(id);
  }

  /** Whether `ep` holds the track; the track map (complete while kept) answers without walking its tracks. */
  holds(ep: LiveEpisode, key: string): boolean {
    if (!this.tracks) return ep.tracks.includes(key);
    const owner = this.tracks.get(key);
    if (owner === undefined) return false;
    return owner === ep.id || ep.tracks.includes(key); // a second holder of a track is not in the map
  }

  /** `ep` opened, or grew by the track `key` */
  put(ep: LiveEpisode, key: string): void {
    this.ids.set(ep.id, ep);
    const owner = this.tracks?.get(key);
    if (owner === undefined) this.tracks?.set(key, ep.id);
    else if (owner !== ep.id) this.tracks = undefined;
  }

  closed(ep: LiveEpisode): void {
    this.ids.delete(ep.id);
    this.tracks = undefined;
  }
}

/**
 * The live episode the event joins, or null to open one. `index` finds live episodes of `state` (built from it when
 * not given).
 */
export function chooseEpisode(state: EpisodesState, event: FaceEvent, cfg: EpisodesConfig, similarity: Similarity = dotSimilarity, index: LiveIndex = new LiveEpisodes(state.live)): LiveEpisode | null {
  if (cfg.join_same_track) {
    const same = index.withTrack(trackKey(event));
    if (same) return same;
  }
  const ts = eventTs(event);
  const from = ts - cfg.episode_search_interval * 1000;
  const { recent } = state;
  /** positions in `recent` of the similar events, in arrival order, and their similarities */
  const similar: number[] = [];
  const sims: number[] = [];
  for (let j = 0; j < recent.length; j++) {
    const ev = recent[j]!;
    if (ev.ts < from) continue;
    const sim = similarity(ev, event);
    if (sim >= cfg.episodes_threshold) {
      similar.push(j);
      sims.push(sim);
    }
  }
  if (similar.length === 0) return null;
  // The most recent similar faces first (later arrival breaks a ts tie), then only those of live episodes; the most
  // similar of them wins, the more recent on a tie. Fewer similar faces than recent_similar_faces: all of them count
  // and no ordering is needed beyond the tie-break.
  const later = (a: number, b: number) => (recent[similar[a]!]!.ts - recent[similar[b]!]!.ts || a - b) > 0;
  let considered: number[];
  if (similar.length <= cfg.recent_similar_faces) considered = similar.map((_, n) => n);
  else considered = similar.map((_, n) => n).sort((a, b) => (later(a, b) ? -1 : later(b, a) ? 1 : 0)).slice(0, cfg.recent_similar_faces);
  let best = -1;
  let bestEp: LiveEpisode | null = null;
  for (const n of considered) {
    const ep = index.byId(recent[similar[n]!]!.episodeId);
    if (!ep) continue;
    if (bestEp === null || sims[n]! > sims[best]! || (sims[n] === sims[best] && later(n, best))) {
      best = n;
      bestEp = ep;
    }
  }
  return bestEp;
}

function open(event: FaceEvent, wallNow: number, scope: string): LiveEpisode {
  const post = event.embedding.post;
  return {
    id: `ep-${event.id}`,
    scope,
    openedTs: post.frame.ts,
    openedT: post.frame.t_s,
    lastTs: post.frame.ts,
    lastT: post.frame.t_s,
    openedWall: wallNow,
    lastWall: wallNow,
    eventsCount: 1,
    best: eventRef(event),
    dossier: event.matched ? event.dossier : null,
    cameras: [post.camera],
    tracks: [trackKey(event)],
  };
}

type Growing = { -readonly [K in keyof LiveEpisode]: LiveEpisode[K] } & { tracks: string[] };

/**
 * `ep` joined by `event`. An episode this batch made (`grown` holds them) grows in place; another is copied once,
 * track list and all, and grows in place for the rest of the batch: an episode of a person seen on many cameras holds
 * thousands of tracks, and copying and scanning them for each new one was the largest cost in these rules (285 → 47 ms
 * per 100k events, profiled). The input state stays as it is.
 */
function extend(ep: LiveEpisode, event: FaceEvent, wallNow: number, newTrack: boolean, grown: WeakSet<LiveEpisode>): LiveEpisode {
  const post = event.embedding.post;
  const ref = eventRef(event);
  let g: Growing;
  if (grown.has(ep)) g = ep as Growing;
  else {
    g = { ...ep, tracks: [...ep.tracks] };
    grown.add(g);
  }
  g.lastTs = Math.max(ep.lastTs, post.frame.ts);
  g.lastT = Math.max(ep.lastT, post.frame.t_s);
  g.lastWall = Math.max(ep.lastWall, wallNow);
  g.eventsCount = ep.eventsCount + 1;
  g.best = betterEvent(ref, ep.best) ? ref : ep.best;
  g.dossier = ep.dossier ?? (event.matched ? event.dossier : null);
  // a new list, not pushed into: the changes already made hold the old one
  if (!ep.cameras.includes(post.camera)) g.cameras = [...ep.cameras, post.camera].sort();
  if (newTrack) g.tracks.push(trackKey(event));
  return g;
}

/**
 * One event: close what its time shows is over, forget events outside the look-back, then join or open.
 * `wallNow` is the wall clock at arrival (for punctuation); `scope` groups events that may share episodes.
 * `similarity` scores the event against a recent one (the cosine; see Similarity).
 */
export function onEvent(state: EpisodesState, event: FaceEvent, wallNow: number, cfg: EpisodesConfig, scope = 'default', similarity: Similarity = dotSimilarity): EpisodesStep {
  const step = onEvents(state, [event], () => wallNow, cfg, scope, similarity);
  return { state: step.state, changes: step.changes[0] ?? [] };
}

/**
 * onEvent for each of `events` in order — the same state and changes (per event) as one call after the other, with
 * the state's lists copied once for the batch instead of per event (the live episodes and the look-back's events
 * are hundreds: copying them per event was most of the stage's time). `state` itself is left as it is.
 */
export function onEvents(
  state: EpisodesState,
  events: readonly FaceEvent[],
  wallNow: (event: FaceEvent) => number,
  cfg: EpisodesConfig,
  scope = 'default',
  similarity: Similarity = dotSimilarity,
): { readonly state: EpisodesState; readonly changes: EpisodeChange[][] } {
  const live = [...state.live];
  const recent = [...state.recent];
  const index = new LiveEpisodes(live);
  /** the episodes this batch made or copied: they grow in place (extend) */
  const grown = new WeakSet<LiveEpisode>();
  const changes: EpisodeChange[][] = [];
  for (const event of events) {
    const ts = eventTs(event);
    const out: EpisodeChange[] = [];
    closeIn(live, (ep) => dueByStream(ep, ts, cfg), out, (ep) => index.closed(ep));
    const from = ts - cfg.episode_search_interval * 1000;
    let kept = 0;
    for (const ev of recent) if (ev.ts >= from) recent[kept++] = ev;
    recent.length = kept;

    const target = chooseEpisode({ live, recent }, event, cfg, similarity, index);
    const key = trackKey(event);
    let ep: LiveEpisode;
    if (target) {
      ep = extend(target, event, wallNow(event), !index.holds(target, key), grown);
      if (ep !== target) live[live.indexOf(target)] = ep;
    } else {
      ep = open(event, wallNow(event), scope);
      grown.add(ep);
      live.push(ep);
    }
    index.put(ep, key);
    recent.push({ id: event.id, episodeId: ep.id, ts, vector: event.embedding.vector });
    out.push(toChange(ep, target ? 'event' : 'open', event.id));
    changes.push(out);
  }
  return { state: events.length > 0 ? { live, recent } : state, changes };
}
