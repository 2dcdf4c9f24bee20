import { describe, expect, it } from 'vitest';
import type { ReportEpisode, ReportEvent, ReportTrack } from './schema.ts';
import { problemsOf } from '../config/validate.ts';
import { ValossaExport } from './schema.ts';
import { toValossa } from './valossa.ts';
import { mergeIntervals } from './intervals.ts';

function event(id: string, track: string, episode: string | null, t: number, extra: Partial<ReportEvent> = {}): ReportEvent {
  return {
    id,
    camera: 'cam',
    ts: new Date(1_700_000_000_000 + t * 1000).toISOString(),
    t_s: t,
    track_id: track,
    post_type: 'realtime',
    post_no: 1,
    bbox: { left: 10, top: 10, right: 60, bottom: 60 },
    bbox_rel: { x: 0.1, y: 0.1, w: 0.2, h: 0.3 },
    frame_width: 100,
    frame_height: 100,
    quality: -0.5,
    detection_score: 0.99,
    attributes: {},
    matched: false,
    dossier: null,
    confidence: 0,
    candidates: [],
    episode,
    fresh_embedding: true,
    ...extra,
  };
}

const track = (id: string, first: number, last: number, frames: number): ReportTrack => ({ id, camera: 'cam', first_s: first, last_s: last, frames, events: 1 });
const episode = (id: string, start: number, end: number, dossier: string | null): ReportEpisode => ({
  id, dossier, start_s: start, end_s: end, events_count: 1, best_event_id: 'x', event_ids: [], cameras: ['cam'],
});

describe('Valossa export', () => {
  const cand = (dossier: string, confidence: number) => ({ dossier, photo: `${dossier}/a.jpg`, watch_list: 'wl', confidence });
  const events = [
    event('e1', 't1', 'ep1', 0, { attributes: { gender: { name: 'female', confidence: 0.9 } }, candidates: [cand('anna', 0.8), cand('bob', 0.3)], matched: true, dossier: 'anna', confidence: 0.8 }),
    event('e2', 't1', 'ep1', 1, { attributes: { gender: { name: 'female', confidence: 0.7 } }, candidates: [cand('anna', 0.9), cand('carl', 0.5)], matched: true, dossier: 'anna', confidence: 0.9 }),
    event('e3', 't2', 'ep2', 0.5, { quality: -3.5, attributes: { gender: { name: 'male', confidence: 0.8 } } }),
  ];
  const out = toValossa({
    events,
    episodes: [episode('ep2', 0.5, 1, null), episode('ep1', 0, 2, 'anna')],
    tracks: [track('t1', 0, 2, 20), track('t2', 0.5, 1, 5), track('t3', 3, 3.1, 2)],
    frames: [
      { t_s: 0, faces: [{ trackId: 't1', x: 0.1, y: 0.2, w: 0.1, h: 0.2 }] },
      { t_s: 0.5, faces: [{ trackId: 't1', x: 0.1, y: 0.2, w: 0.1, h: 0.2 }, { trackId: 't2', x: 0.5, y: 0.2, w: 0.1, h: 0.2 }, { trackId: 't3', x: 0, y: 0, w: 0.1, h: 0.1 }] },
    ],
    fps: 10,
    durationS: 4,
    frameInterval: 0.1,
    matchThreshold: 0.45,
    normalQuality: -2,
    generator: 'test',
  });

  it('has one human.face detection per episode, numbered by start time, in Valossa shape', () => {
    expect(problemsOf(ValossaExport, out)).toEqual([]);
    expect(Object.keys(out.core.detections)).toEqual(['1', '2']);
    const anna = out.core.detections['1']!;
    expect(anna.t).toBe('human.face');
    expect(anna.occs).toEqual([{ id: '1.1', ss: 0, se: 2.1 }]);
    expect(anna.a.s_visible).toBe(2);
    expect(anna.a.gender).toEqual({ value: 'female', c: 0.8 });
    expect(anna.a.quality).toBe('normal');
    expect(out.core.detections['2']!.a.quality).toBe('low');
  });

  it('lists gallery matches above the threshold, best first, one per dossier', () => {
    expect(out.core.detections['1']!.a.similar_to!.map((s) => [s.name, s.c])).toEqual([['anna', 0.9], ['carl', 0.5]]);
    expect(out.core.detections['2']!.a.similar_to).toBeUndefined();
    expect(out.core.detection_groupings.by_detection_property['human.face'].similar_to_face_id['anna/a.jpg']).toEqual({ moccs: [{ ss: 0, se: 2.1 }], det_ids: ['1'] });
  });

  it('indexes frames_faces by frame number and omits tracks outside every episode', () => {
    expect(out.frames_faces.faces_by_frame).toHaveLength(40);
    expect(out.frames_faces.faces_by_frame[0]).toEqual([{ id: '1', x: 0.1, y: 0.2, w: 0.1, h: 0.2 }]);
    expect(out.frames_faces.faces_by_frame[5]!.map((f) => f.id)).toEqual(['1', '2']);
    expect(out.core.detection_groupings.by_detection_type['human.face']).toEqual(['1', '2']);
  });
});

describe('mergeIntervals', () => {
  it('joins overlapping and near intervals, sorted', () => {
    expect(mergeIntervals([{ ss: 5, se: 6 }, { ss: 0, se: 1 }, { ss: 1.05, se: 2 }], 0.1)).toEqual([{ ss: 0, se: 2 }, { ss: 5, se: 6 }]);
  });
});
