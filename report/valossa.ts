// Valossa-shaped export of an analysis: one `human.face` detection per episode (a person within the video),
// its occurrences from the episode's tracks, gallery matches in `similar_to`, and per-frame relative boxes in
// `frames_faces`. Field meanings follow ../shared/seeds/002_* (Valossa "Faces and Identity").
import type { Candidate, ReportEpisode, ReportEvent, ReportTrack, ValossaExport } from './schema.ts';
import { mergeIntervals, type Interval } from './intervals.ts';

type ValossaFace = ValossaExport['core']['detections'][string];
type SimilarTo = NonNullable<ValossaFace['a']['similar_to']>[number];

export interface TrackedFrame {
  readonly t_s: number;
  readonly faces: ReadonlyArray<{ readonly trackId: string; readonly x: number; readonly y: number; readonly w: number; readonly h: number }>;
}

export interface ValossaInput {
  readonly events: readonly ReportEvent[];
  readonly episodes: readonly ReportEpisode[];
  readonly tracks: readonly ReportTrack[];
  readonly frames: readonly TrackedFrame[];
  /** native frame rate: frames_faces is indexed by frame number = round(t_s × fps) */
  readonly fps: number;
  readonly durationS: number;
  /** seconds one analysed frame stands for (1 / sampled rate) */
  readonly frameInterval: number;
  /** candidates at or above this similarity are gallery matches */
  readonly matchThreshold: number;
  /** faces at least this good are "normal", others "low" (FindFace filter_min_quality) */
  readonly normalQuality: number;
  readonly generator: string;
}

const round3 = (v: number) => Math.round(v * 1000) / 1000;

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Mean probability of "male" over the events that carry a gender. */
function gender(events: readonly ReportEvent[]): ValossaFace['a']['gender'] {
  const pMale = events.flatMap((e) => (e.attributes.gender ? [e.attributes.gender.name === 'male' ? e.attributes.gender.confidence : 1 - e.attributes.gender.confidence] : []));
  if (pMale.length === 0) return undefined;
  const p = pMale.reduce((a, b) => a + b, 0) / pMale.length;
  return p >= 0.5 ? { value: 'male', c: round3(p) } : { value: 'female', c: round3(1 - p) };
}

/** Best confidence per dossier face among the matches of the events, best first. */
function similarTo(events: readonly ReportEvent[], threshold: number): SimilarTo[] {
  const best = new Map<string, Candidate>();
  for (const c of events.flatMap((e) => e.candidates)) {
    if (c.confidence < threshold) continue;
    const prev = best.get(c.dossier);
    if (!prev || c.confidence > prev.confidence) best.set(c.dossier, c);
  }
  return [...best.values()]
    .sort((a, b) => b.confidence - a.confidence)
    .map((c) => ({ c: round3(c.confidence), name: c.dossier, gallery: { id: c.watch_list }, gallery_face: { id: c.photo, name: c.dossier } }));
}

/** The episode each track belongs to: the one most of its events joined. */
function episodeOfTrack(events: readonly ReportEvent[]): Map<string, string> {
  const votes = new Map<string, Map<string, number>>();
  for (const e of events) {
    if (!e.episode) continue;
    const v = votes.get(e.track_id) ?? new Map<string, number>();
    v.set(e.episode, (v.get(e.episode) ?? 0) + 1);
    votes.set(e.track_id, v);
  }
  return new Map([...votes].map(([track, v]) => [track, [...v].sort((a, b) => b[1] - a[1])[0]![0]]));
}

export function toValossa(input: ValossaInput): ValossaExport {
  const trackEpisode = episodeOfTrack(input.events);
  const detIdOfEpisode = new Map<string, string>();
  const detections: Record<string, ValossaFace> = {};
  const byFace = new Map<string, { occs: Interval[]; detIds: string[] }>();

  const episodes = [...input.episodes].sort((a, b) => a.start_s - b.start_s || a.id.localeCompare(b.id));
  for (const episode of episodes) {
    const detId = String(detIdOfEpisode.size + 1);
    detIdOfEpisode.set(episode.id, detId);
    const tracks = input.tracks.filter((t) => trackEpisode.get(t.id) === episode.id);
    const events = input.events.filter((e) => e.episode === episode.id);
    const occs = mergeIntervals(
      tracks.map((t) => ({ ss: t.first_s, se: t.last_s + input.frameInterval })),
      input.frameInterval,
    ).map((iv, k) => ({ id: `${detId}.${k + 1}`, ss: round3(iv.ss), se: round3(Math.min(iv.se, input.durationS)) }));
    const sVisible = tracks.reduce((sum, t) => sum + t.frames * input.frameInterval, 0);
    const similar = similarTo(events, input.matchThreshold);
    const g = gender(events);
    detections[detId] = {
      t: 'human.face',
      label: 'face',
      occs,
      a: {
        ...(g ? { gender: g } : {}),
        s_visible: round3(sVisible),
        quality: events.length > 0 && median(events.map((e) => e.quality)) >= input.normalQuality ? 'normal' : 'low',
        ...(similar.length > 0 ? { similar_to: similar } : {}),
      },
    };
    for (const s of similar) {
      const entry = byFace.get(s.gallery_face.id) ?? { occs: [], detIds: [] };
      entry.occs.push(...occs);
      entry.detIds.push(detId);
      byFace.set(s.gallery_face.id, entry);
    }
  }

  const facesByFrame: ValossaExport['frames_faces']['faces_by_frame'] = Array.from(
    { length: Math.max(0, Math.ceil(input.durationS * input.fps)) },
    () => [],
  );
  for (const frame of input.frames) {
    const index = Math.round(frame.t_s * input.fps);
    const boxes = frame.faces.flatMap((f) => {
      const episode = trackEpisode.get(f.trackId);
      const id = episode ? detIdOfEpisode.get(episode) : undefined;
      return id ? [{ id, x: round3(f.x), y: round3(f.y), w: round3(f.w), h: round3(f.h) }] : [];
    });
    while (facesByFrame.length <= index) facesByFrame.push([]);
    facesByFrame[index]!.push(...boxes);
  }

  const prominence = Object.keys(detections).sort((a, b) => detections[b]!.a.s_visible - detections[a]!.a.s_visible || Number(a) - Number(b));
  return {
    core: {
      version_info: { metadata_type: 'core', generator: input.generator },
      media_info: { technical: { fps: input.fps, duration_s: round3(input.durationS) } },
      detections,
      detection_groupings: {
        by_detection_type: { 'human.face': prominence },
        by_detection_property: {
          'human.face': {
            similar_to_face_id: Object.fromEntries(
              [...byFace].map(([face, v]) => [face, { moccs: mergeIntervals(v.occs).map((iv) => ({ ss: iv.ss, se: iv.se })), det_ids: v.detIds }]),
            ),
          },
        },
      },
    },
    frames_faces: { version_info: { metadata_type: 'frames_faces', generator: input.generator }, faces_by_frame: facesByFrame },
  };
}
