import { describe, expect, it } from 'vitest';
import { validateOrThrow } from '../../config/validate.ts';
import { EmbedConfig } from './config.ts';
import { afterFresh, decideReid, ReidSchedule, type ReidState } from './reid-schedule.ts';
import { basis, facePost, unit } from '../runtime/testing/index.ts';

const cfg = (over: Record<string, unknown> = {}) => validateOrThrow(EmbedConfig, { ...over }, 'embed');

/**
 * Posts at every track frame 1..n; `vectorAt(frame)` is what the embedder would return. Returns the frames
 * embedded afresh.
 */
function freshFrames(n: number, vectorAt: (frame: number) => Float32Array, over: Record<string, unknown> = {}, qualityAt: (f: number) => number = () => -0.5): number[] {
  const c = cfg(over);
  let state: ReidState | undefined;
  const fresh: number[] = [];
  for (let f = 1; f <= n; f++) {
    const post = facePost({ trackFrames: f, t: f / 10, quality: qualityAt(f) });
    if (decideReid(state, post) === 'fresh') {
      fresh.push(f);
      state = afterFresh(state, post, vectorAt(f), c);
    }
  }
  return fresh;
}

describe('adaptive re-identification schedule', () => {
  it('backs off 1 → 2 → 4 → 8 … while vectors stay similar, capped at reid_expiration_frames', () => {
    expect(freshFrames(64, () => basis(0), { reid_expiration_frames: 16 })).toEqual([1, 2, 4, 8, 16, 32, 48, 64]);
  });

  it.each([
    [1, [1, 2, 3, 4, 5, 6, 7, 8]],
    [4, [1, 2, 4, 8]],
  ])('reid_expiration_frames=%i', (cap, expected) => {
    expect(freshFrames(8, () => basis(0), { reid_expiration_frames: cap })).toEqual(expected);
  });

  it('a dissimilar fresh vector resets the interval to 1', () => {
    // Appearance changes at frame 8 (a different vector from then on).
    const fresh = freshFrames(20, (f) => (f >= 8 ? basis(1) : basis(0)), { reid_expiration_frames: 16 });
    expect(fresh).toEqual([1, 2, 4, 8, 9, 11, 15]);
  });

  it('similarity is compared with reid_stable_similarity', () => {
    const slightlyOff = unit([1, 0.5]); // cosine with [1, 0] ≈ 0.894
    const vec = (f: number) => (f % 2 === 0 ? slightlyOff : unit([1, 0]));
    expect(freshFrames(8, vec, { reid_stable_similarity: 0.85 })).toEqual([1, 2, 4, 8]);
    expect(freshFrames(8, vec, { reid_stable_similarity: 0.95 })).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('a post at least 0.5 better in quality than the embedded face is always fresh', () => {
    const quality = (f: number) => (f === 5 ? 0 : f === 6 ? -0.2 : -1);
    // Frame 6 is better than -1 but not than the 0 embedded at frame 5; the interval keeps doubling (5 + 8 = 13).
    expect(freshFrames(13, () => basis(0), { reid_expiration_frames: 16 }, quality)).toEqual([1, 2, 4, 5, 13]);
  });

  it('ReidSchedule keeps tracks apart, reuses vectors and evicts quiet tracks', () => {
    const s = new ReidSchedule(cfg());
    const a1 = facePost({ trackId: 'a', trackFrames: 1, t: 0 });
    const b1 = facePost({ trackId: 'b', trackFrames: 1, t: 0 });
    expect(s.decide(a1)).toBe('fresh');
    s.fresh(a1, basis(0));
    expect(s.decide(b1)).toBe('fresh');
    s.fresh(b1, basis(1));
    const a2 = facePost({ trackId: 'a', trackFrames: 2, t: 1 });
    expect(s.decide(a2)).toBe('fresh');
    s.fresh(a2, basis(0));
    const a3 = facePost({ trackId: 'a', trackFrames: 3, t: 2 });
    expect(s.decide(a3)).toBe('reuse');
    expect(s.reuse(a3)).toEqual(basis(0));
    expect(() => s.reuse(facePost({ trackId: 'c' }))).toThrow(/no embedding/);
    expect(s.evictBefore(a3.frame.ts)).toBe(1); // b went quiet
    expect(s.size).toBe(1);
    s.forget(a3);
    expect(s.size).toBe(0);
  });
});
