import { describe, expect, it } from 'vitest';
import { ssrMerge, type SsrOutputs } from './ssrnet.ts';
import { genderFromScore } from './gender.ts';
import { softmax } from './softmax.ts';
import { binsToDegrees } from './headpose.ts';
import { emotionCrop } from './emotion.ts';

const f = (...v: number[]) => Float32Array.from(v);

describe('SSR-Net merge', () => {
  it('matches the reference formula (s = 3, λ = 1) on hand-computed values', () => {
    const o: SsrOutputs = {
      prob: [f(0.2, 0.3, 0.5), f(0.1, 0.1, 0.8), f(1, 0, 0)],
      delta: [f(0.5), f(0), f(-0.5)],
      offset: [f(0, 0, 0), f(0.1, -0.1, 0), f(0, 0, 0)],
    };
    const a = (0 * 0.2 + 1 * 0.3 + 2 * 0.5) / (3 * 1.5);
    const b = ((0 + 0.1) * 0.1 + (1 - 0.1) * 0.1 + 2 * 0.8) / (3 * 1.5) / (3 * 1);
    const c = 0 / (3 * 1.5 * 3 * 1 * 3 * 0.5);
    expect(ssrMerge(o, 0)).toBeCloseTo(a + b + c, 6);
  });

  it('reads the n-th face of a batch', () => {
    const o: SsrOutputs = {
      prob: [f(1, 0, 0, 0, 0, 1), f(1, 0, 0, 1, 0, 0), f(1, 0, 0, 1, 0, 0)],
      delta: [f(0, 0), f(0, 0), f(0, 0)],
      offset: [f(0, 0, 0, 0, 0, 0), f(0, 0, 0, 0, 0, 0), f(0, 0, 0, 0, 0, 0)],
    };
    expect(ssrMerge(o, 0)).toBe(0);
    expect(ssrMerge(o, 1)).toBeCloseTo(2 / 3, 6);
  });
});

describe('gender confidence', () => {
  it('is 0.5 at the threshold and 1 at either end of the score range', () => {
    expect(genderFromScore(0.6, 0.6)).toEqual({ name: 'female', confidence: 0.5 });
    expect(genderFromScore(1, 0.6)).toEqual({ name: 'male', confidence: 1 });
    expect(genderFromScore(0, 0.6)).toEqual({ name: 'female', confidence: 1 });
    expect(genderFromScore(0.8, 0.6).confidence).toBeCloseTo(0.75, 6);
    expect(genderFromScore(0.3, 0.6).confidence).toBeCloseTo(0.75, 6);
  });
});

describe('softmax and HopeNet bins', () => {
  it('softmax is stable with huge logits and sums to 1', () => {
    const p = softmax([1000, 1000, 0]);
    expect(p[0]).toBeCloseTo(0.5, 9);
    expect(p[0]! + p[1]! + p[2]!).toBeCloseTo(1, 12);
  });

  it('a one-hot bin k reads as 3k − 99 degrees', () => {
    const logits = new Float32Array(66 * 2).fill(-1e4);
    logits[33] = 0; // face 0: bin 33 → 0°
    logits[66 + 10] = 0; // face 1: bin 10 → −69°
    expect(binsToDegrees(logits, 0)).toBeCloseTo(0, 6);
    expect(binsToDegrees(logits, 66)).toBeCloseTo(-69, 6);
  });
});

describe('emotion crop', () => {
  it('is anchored at the top-left corner, 1.2 × the box, clipped to the frame', () => {
    const img = { width: 100, height: 100, data: new Uint8Array(0) };
    expect(emotionCrop(img, { x1: 10, y1: 20, x2: 60, y2: 70 }, 1.2)).toEqual({ x1: 10, y1: 20, x2: 70, y2: 80 });
    expect(emotionCrop(img, { x1: 50, y1: 50, x2: 100, y2: 100 }, 1.2)).toEqual({ x1: 50, y1: 50, x2: 100, y2: 100 });
  });
});
