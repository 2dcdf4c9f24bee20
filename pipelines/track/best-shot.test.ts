import { describe, expect, it } from 'vitest';
import { validateOrThrow } from '../../config/validate.ts';
import { BestShotConfig } from './config.ts';
import { compileBestShot, initialBestShot, isBetterShot, passesFilters, stepBestShot, type BestShotPost, type Shot } from './best-shot.ts';
import { faceAt, frameAt, square } from '../runtime/testing/index.ts';
import type { Box } from '../../schemas/records.ts';

const rules = (over: Record<string, unknown> = {}) => compileBestShot(validateOrThrow(BestShotConfig, { ...over }, 'best_shot'));

const shot = (t: number, quality: number, box: Box = square(100, 100, 80)): Shot => {
  const { image, ...frame } = frameAt('cam', Math.round(t * 10), t);
  return { frame, face: faceAt(box, { quality }), pixels: { left: 0, top: 0, image } };
};

/** Runs a track of (t, quality) observations, confirmed from the `confirmAt`-th, then ends it. */
function runTrack(over: Record<string, unknown>, obs: ReadonlyArray<readonly [number, number]>, confirmAt = 0): Array<[string, number, number, number]> {
  const r = rules(over);
  let state = initialBestShot;
  const posts: BestShotPost[] = [];
  obs.forEach(([t, q], i) => {
    const step = stepBestShot(state, { kind: 'observe', shot: shot(t, q), confirmed: i >= confirmAt }, r);
    state = step.state;
    posts.push(...step.posts);
  });
  posts.push(...stepBestShot(state, { kind: 'end' }, r).posts);
  return posts.map((p) => [p.postType, p.postNo, p.shot.frame.t_s, p.shot.face.quality]);
}

describe('best shot: realtime', () => {
  const obs: Array<[number, number]> = [
    [0.0, -1.0],
    [0.5, -0.4],
    [0.9, -0.8],
    [1.0, -1.5], // window 2 opens here
    [1.6, -1.2],
    [2.2, -0.3], // window 3
    [2.4, -0.6],
  ];

  it('posts the best face of every realtime_post_interval window, the last one at track end', () => {
    expect(runTrack({ realtime_post_interval: 1 }, obs)).toEqual([
      ['realtime', 1, 0.5, -0.4],
      ['realtime', 2, 1.6, -1.2],
      ['realtime', 3, 2.2, -0.3],
    ]);
  });

  it('every_interval=false posts a window best only when it beats the last posted quality', () => {
    expect(runTrack({ realtime_post_interval: 1, realtime_post_every_interval: false }, obs)).toEqual([
      ['realtime', 1, 0.5, -0.4],
      ['realtime', 2, 2.2, -0.3],
    ]);
  });

  it('first_immediately posts the best so far at confirmation, then windows restart', () => {
    expect(runTrack({ realtime_post_interval: 1, realtime_post_first_immediately: true }, obs, 1)).toEqual([
      ['realtime', 1, 0.5, -0.4], // confirmed at t=0.5: best of t=0 and t=0.5, posted at once
      ['realtime', 2, 0.9, -0.8], // next window [0.9, 1.9) closed by the face at 2.2
      ['realtime', 3, 2.2, -0.3], // last window posted at track end
    ]);
  });

  it('without first_immediately an unconfirmed track keeps collecting and posts nothing until confirmed', () => {
    expect(runTrack({ realtime_post_interval: 1 }, obs, 4)).toEqual([
      ['realtime', 1, 0.5, -0.4], // window [0, …) stayed open until confirmation at 1.6, closed at 2.2
      ['realtime', 2, 2.2, -0.3],
    ]);
  });

  it('an unconfirmed track never posts', () => {
    expect(runTrack({}, obs, 99)).toEqual([]);
    expect(runTrack({ overall_only: true }, obs, 99)).toEqual([]);
  });
});

describe('best shot: overall', () => {
  it('posts once, the best face over the whole track, when the track ends', () => {
    expect(runTrack({ overall_only: true }, [[0, -1], [1, -0.2], [2, -0.9], [3, -0.5]])).toEqual([['overall', 1, 1, -0.2]]);
  });
});

describe('best shot: filters', () => {
  it.each([
    ['quality below filter_min_quality', { filter_min_quality: -1 }, faceAt(square(0, 0, 80), { quality: -1.5 }), false],
    ['quality at filter_min_quality', { filter_min_quality: -1 }, faceAt(square(0, 0, 80), { quality: -1 }), true],
    ['face smaller than filter_min_face_size', { filter_min_face_size: 60 }, faceAt(square(0, 0, 50)), false],
    ['face at filter_min_face_size', { filter_min_face_size: 60 }, faceAt(square(0, 0, 60)), true],
    ['face larger than filter_max_face_size', { filter_max_face_size: 100 }, faceAt(square(0, 0, 120)), false],
    ['max size 0 is off', { filter_max_face_size: 0 }, faceAt(square(0, 0, 5000)), true],
    ['min size 0 is off', { filter_min_face_size: 0 }, faceAt(square(0, 0, 2)), true],
    ['size is the box height', { filter_min_face_size: 60 }, faceAt({ x1: 0, y1: 0, x2: 10, y2: 60 }), true],
    ['centre inside roi', { roi: '200x200+100+100' }, faceAt(square(150, 150, 40)), true],
    ['centre outside roi', { roi: '200x200+100+100' }, faceAt(square(40, 40, 40)), false],
    ['box overlapping roi, centre outside', { roi: '200x200+100+100' }, faceAt(square(70, 70, 50)), false],
  ])('%s', (_name, over, face, expected) => {
    expect(passesFilters(face, rules(over))).toBe(expected);
  });

  it('filtered faces are never posted, even if they are the only ones', () => {
    expect(runTrack({ filter_min_quality: -1 }, [[0, -3], [0.5, -2], [1.2, -4]])).toEqual([]);
    expect(runTrack({ overall_only: true, filter_min_quality: -1 }, [[0, -3], [0.5, -0.9], [1.2, -0.1]])).toEqual([['overall', 1, 1.2, -0.1]]);
  });

  it('the roi is validated by the config schema', () => {
    expect(() => rules({ roi: 'left half' })).toThrow(/roi/);
  });
});

describe('best shot: ties', () => {
  it.each([
    ['higher quality wins', shot(1, -0.5, square(0, 0, 40)), shot(0, -0.6, square(0, 0, 80)), true],
    ['equal quality: larger face wins', shot(1, -0.5, square(0, 0, 80)), shot(0, -0.5, square(0, 0, 40)), true],
    ['equal quality and size: earlier frame wins', shot(0, -0.5), shot(1, -0.5), true],
    ['equal quality and size: later frame loses', shot(1, -0.5), shot(0, -0.5), false],
  ])('%s', (_name, a, b, expected) => {
    expect(isBetterShot(a, b)).toBe(expected);
  });
});
