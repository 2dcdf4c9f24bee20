import { describe, expect, it } from 'vitest';
import { validateOrThrow } from '../../config/validate.ts';
import { EpisodesConfig } from './config.ts';
import { chooseEpisode, closeAll, dotSimilarity, emptyEpisodes, onEvent, onEvents, type EpisodesState, type LiveEpisode } from './rules.ts';
import type { EpisodeChange, FaceEvent } from '../../schemas/records.ts';
import { basis, faceEvent, unit, type EventOptions } from '../runtime/testing/index.ts';

const config = (over: Record<string, unknown> = {}) => validateOrThrow(EpisodesConfig, { episodes_threshold: 0.4, ...over }, 'episodes');

/** Feeds events in order (wall clock = event time) and returns every change as [kind, episode, event]. */
function timeline(events: readonly FaceEvent[], over: Record<string, unknown> = {}, end = false): Array<[string, string, string | null]> {
  const cfg = config(over);
  let state: EpisodesState = emptyEpisodes;
  const changes: EpisodeChange[] = [];
  for (const e of events) {
    const step = onEvent(state, e, e.embedding.post.frame.ts, cfg);
    state = step.state;
    changes.push(...step.changes);
  }
  if (end) changes.push(...closeAll(state).changes);
  return changes.map((c) => [c.kind, c.episodeId, c.eventId]);
}

/** Event `id` at `t` seconds with its own track unless given. */
const ev = (id: string, t: number, vector: Float32Array, more: Partial<EventOptions> = {}): FaceEvent => faceEvent({ id, t, vector, trackId: `track-${id}`, ...more });

describe('episode rules', () => {
  it('joins a similar event within the threshold, opens a new episode below it', () => {
    expect(timeline([ev('a', 0, unit([1, 0])), ev('b', 5, unit([1, 0.3]))])).toEqual([
      ['open', 'ep-a', 'a'],
      ['event', 'ep-a', 'b'],
    ]);
    expect(timeline([ev('a', 0, basis(0)), ev('b', 5, basis(1))])).toEqual([
      ['open', 'ep-a', 'a'],
      ['open', 'ep-b', 'b'],
    ]);
  });

  it.each([
    [0.95, 0.9, 'event'],
    [0.95, 0.96, 'open'],
  ])('similarity %f against episodes_threshold %f → %s', (sim, threshold, kind) => {
    const v = unit([sim, Math.sqrt(1 - sim * sim)]);
    expect(timeline([ev('a', 0, unit([1, 0])), ev('b', 1, v)], { episodes_threshold: threshold })[1]?.[0]).toBe(kind);
  });

  it.each([
    [29, [['open', 'ep-a', 'a'], ['event', 'ep-a', 'b']]],
    [30, [['open', 'ep-a', 'a'], ['close', 'ep-a', null], ['open', 'ep-b', 'b']]],
    [45, [['open', 'ep-a', 'a'], ['close', 'ep-a', null], ['open', 'ep-b', 'b']]],
  ])('episode_event_timeout 30 s: a similar event %i s later', (t, expected) => {
    expect(timeline([ev('a', 0, basis(0)), ev('b', t, basis(0))])).toEqual(expected);
  });

  it('episode_max_duration 300 s closes even with continuous events', () => {
    const events = Array.from({ length: 33 }, (_, k) => ev(`e${k * 10}`, k * 10, basis(0), { trackId: 'one-track' }));
    const changes = timeline(events);
    expect(changes.slice(0, 2)).toEqual([
      ['open', 'ep-e0', 'e0'],
      ['event', 'ep-e0', 'e10'],
    ]);
    expect(changes.slice(29)).toEqual([
      ['event', 'ep-e0', 'e290'],
      ['close', 'ep-e0', null],
      ['open', 'ep-e300', 'e300'],
      ['event', 'ep-e300', 'e310'],
      ['event', 'ep-e300', 'e320'],
    ]);
  });

  it.each([
    [50, 'event'],
    [70, 'open'],
  ])('episode_search_interval 60 s limits the look-back: similar event at %i s → %s', (t, kind) => {
    // A long event timeout keeps the first episode live, so only the look-back decides.
    const changes = timeline([ev('a', 0, basis(0)), ev('b', t, basis(0))], { episode_event_timeout: 200 });
    expect(changes.map((c) => c[0])).toEqual(['open', kind]);
  });

  it('joins the most similar live episode among the recent_similar_faces most recent similar events', () => {
    // Two live episodes: x at 0 s and y at 10 s. The query is closer to x (0.86) than to y (0.51).
    const events = [ev('x', 0, unit([1, 0, 0])), ev('y', 10, unit([0, 1, 0])), ev('q', 20, unit([1, 0.6, 0]))];
    expect(timeline(events)[2]).toEqual(['event', 'ep-x', 'q']);
    // Only the single most recent similar event (y's) is considered.
    expect(timeline(events, { recent_similar_faces: 1 })[2]).toEqual(['event', 'ep-y', 'q']);
  });

  it.each([
    [true, 'event'],
    [false, 'open'],
  ])('join_same_track=%s: a dissimilar post of a track in a live episode → %s', (join, kind) => {
    const events = [ev('a', 0, basis(0), { trackId: 't1' }), ev('b', 1, basis(1), { trackId: 't1' })];
    expect(timeline(events, { join_same_track: join })[1]?.[0]).toBe(kind);
  });

  it('tracks best event, first matched dossier, cameras and counts', () => {
    const cfg = config();
    let state: EpisodesState = emptyEpisodes;
    const out: EpisodeChange[] = [];
    const events = [
      ev('a', 0, basis(0), { quality: -1, camera: 'cam-b' }),
      ev('b', 1, basis(0), { quality: -0.5, dossier: 'alice', confidence: 0.6, camera: 'cam-a' }),
      ev('c', 2, basis(0), { quality: -0.5, dossier: 'bob', confidence: 0.7, camera: 'cam-b' }),
      ev('d', 3, basis(0), { quality: -0.5, confidence: 0.65, camera: 'cam-b' }),
    ];
    for (const e of events) {
      const step = onEvent(state, e, 0, cfg);
      state = step.state;
      out.push(...step.changes);
    }
    out.push(...closeAll(state).changes);
    const last = out[out.length - 1] as EpisodeChange;
    expect(last).toMatchObject({ kind: 'close', episodeId: 'ep-a', scope: 'default', eventId: null, bestEventId: 'c', eventsCount: 4, dossier: 'alice', cameras: ['cam-a', 'cam-b'] });
    expect([last.startT, last.endT, last.endTs - last.startTs]).toEqual([0, 3, 3000]);
    expect(out.map((c) => c.bestEventId)).toEqual(['a', 'b', 'c', 'c', 'c']);
    expect(out.map((c) => c.dossier)).toEqual([null, 'alice', 'alice', 'alice', 'alice']);
  });

  it('a batch gives the states and changes of its events one after the other, and leaves the state it was given as it was', () => {
    // tracks that come back, cameras, similar and dissimilar faces, gaps that close episodes, times out of order
    let seed = 11;
    const random = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
    const events = Array.from({ length: 300 }, (_, k) => {
      const person = Math.floor(random() * 6);
      const t = k * 2 + (random() < 0.1 ? 400 : 0) - (random() < 0.2 ? 5 : 0);
      return ev(`e${k}`, t, unit([1, person * 0.7, random() * 0.2]), { trackId: `t${person}-${Math.floor(k / 20)}`, camera: `cam-${person % 3}`, quality: -random() });
    });
    const cfg = config({ episode_event_timeout: 30, episode_search_interval: 40, recent_similar_faces: 3 });
    const one: { state: EpisodesState; changes: EpisodeChange[][] } = { state: emptyEpisodes, changes: [] };
    for (const e of events) {
      const step = onEvent(one.state, e, e.embedding.post.frame.ts + 7, cfg);
      one.state = step.state;
      one.changes.push([...step.changes]);
    }
    let state: EpisodesState = emptyEpisodes;
    const changes: EpisodeChange[][] = [];
    for (let i = 0; i < events.length; i += 64) {
      const before = JSON.stringify(state);
      const step = onEvents(state, events.slice(i, i + 64), (e) => e.embedding.post.frame.ts + 7, cfg);
      expect(JSON.stringify(state)).toBe(before);
      state = step.state;
      changes.push(...step.changes);
    }
    expect(changes).toEqual(one.changes);
    expect(state).toEqual(one.state);
    // each live episode lists the track of every event it took, once
    const trackOf = new Map(events.map((e) => [e.id, `${e.embedding.post.camera}\u0000${e.embedding.post.trackId}`]));
    for (const ep of state.live) {
      const taken = changes.flat().filter((c) => c.episodeId === ep.id && c.eventId !== null).map((c) => trackOf.get(c.eventId!)!);
      expect([...ep.tracks].sort()).toEqual([...new Set(taken)].sort());
    }
    expect(changes.flat().filter((c) => c.kind === 'close').length).toBeGreaterThan(5);
    expect(changes.flat().filter((c) => c.kind === 'event').length).toBeGreaterThan(100);
    expect(onEvents(state, [], () => 0, cfg).state).toBe(state);
  });

  it('chooses the episode the rule as written chooses: ties, more similar faces than recent_similar_faces, closed episodes', () => {
    /** the rule as the module's doc states it, written plainly (sorts every similar event, scans every track) */
    const reference = (state: EpisodesState, event: FaceEvent, cfg: ReturnType<typeof config>): LiveEpisode | null => {
      const key = `${event.embedding.post.camera}\u0000${event.embedding.post.trackId}`;
      const same = cfg.join_same_track ? state.live.find((ep) => ep.tracks.includes(key)) : undefined;
      if (same) return same;
      const from = event.embedding.post.frame.ts - cfg.episode_search_interval * 1000;
      const similar = state.recent
        .map((ev, i) => ({ ev, i, sim: dotSimilarity(ev, event) }))
        .filter((s) => s.ev.ts >= from && s.sim >= cfg.episodes_threshold)
        .sort((a, b) => b.ev.ts - a.ev.ts || b.i - a.i)
        .slice(0, cfg.recent_similar_faces);
      let best: { ep: LiveEpisode; sim: number } | null = null;
      for (const { ev, sim } of similar) {
        const ep = state.live.find((e) => e.id === ev.episodeId);
        if (ep && (best === null || sim > best.sim)) best = { ep, sim };
      }
      return best?.ep ?? null;
    };
    let seed = 5;
    const random = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
    // few distinct vectors (exact ties, as a track's reused vectors give), whole seconds (ts ties)
    const vectors = [unit([1, 0, 0]), unit([1, 0.2, 0]), unit([1, 0, 0.3]), unit([0, 1, 0]), unit([0, 1, 0.2])];
    for (const joinSameTrack of [true, false]) {
      const cfg = config({ join_same_track: joinSameTrack, recent_similar_faces: 4, episode_event_timeout: 20, episode_search_interval: 30 });
      let state: EpisodesState = emptyEpisodes;
      for (let k = 0; k < 1500; k++) {
        const e = ev(`e${k}`, Math.floor(k / 8) + (random() < 0.1 ? 25 : 0), vectors[Math.floor(random() * vectors.length)]!, { trackId: `t${Math.floor(random() * 40)}` });
        expect(chooseEpisode(state, e, cfg)?.id ?? null).toBe(reference(state, e, cfg)?.id ?? null);
        state = onEvent(state, e, 0, cfg).state;
      }
    }
  });

  it('is deterministic: same events, same changes and ids', () => {
    const events = Array.from({ length: 40 }, (_, k) => ev(`e${k}`, k * 3, basis(k % 3), { trackId: `t${k % 5}` }));
    expect(timeline(events, {}, true)).toEqual(timeline(events, {}, true));
  });
});
