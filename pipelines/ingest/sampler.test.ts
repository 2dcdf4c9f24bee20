import { describe, expect, it } from 'vitest';
import { FpsSampler } from './sampler.ts';
import { parseSource, redactSource } from './source-url.ts';

const keep = (fps: number, times: number[]): number[] => {
  const s = new FpsSampler(fps);
  return times.filter((t) => s.accept(t));
};

describe('FpsSampler', () => {
  it('0 keeps everything', () => {
    expect(keep(0, [0, 0.01, 0.02])).toEqual([0, 0.01, 0.02]);
  });

  it('25 fps with jitter at 5 fps keeps one frame per 0.2 s bucket', () => {
    const times = Array.from({ length: 50 }, (_, k) => 10 + k * 0.04 + (k % 2 ? 0.003 : -0.002));
    const kept = keep(5, times);
    expect(kept).toHaveLength(10);
    kept.slice(1).forEach((t, k) => expect(t - kept[k]!).toBeGreaterThan(0.15));
  });

  it('restarts its grid when timestamps jump back', () => {
    expect(keep(1, [100, 100.5, 101, 3, 3.5, 4])).toEqual([100, 101, 3, 4]);
  });
});

describe('parseSource', () => {
  it('tells files from live URLs and hides credentials', () => {
    expect(parseSource('/a/b.mp4')).toEqual({ input: '/a/b.mp4', live: false, display: '/a/b.mp4' });
    expect(parseSource('file:///a/b%20c.mp4')).toEqual({ input: '/a/b c.mp4', live: false, display: '/a/b c.mp4' });
    expect(parseSource('rtsp://u:p@cam:554/s')).toEqual({ input: 'rtsp://u:p@cam:554/s', live: true, display: 'rtsp://***@cam:554/s' });
    expect(redactSource('rtsp://cam/s')).toBe('rtsp://cam/s');
  });
});
