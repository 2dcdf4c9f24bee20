import { describe, expect, it } from 'vitest';
import { densityFigure, detectionFps, meetsCriteria, nextStreams, percentiles, shouldRunStep } from './camera-density-stats.ts';

/** frames every 200 ms from `fromMs`, each out of detection `lagMs(k)` after its capture */
const frames = (fromMs: number, count: number, lagMs: (k: number) => number) => Array.from({ length: count }, (_, k) => ({ captureMs: fromMs + 200 * k, detectedMs: fromMs + 200 * k + lagMs(k) }));

describe('detectionFps', () => {
  it('counts exactly the sampled rate for a stream that keeps up, whatever the window\'s phase', () => {
    for (const phase of [0, 37, 199]) expect(detectionFps(frames(-1000 + phase, 200, () => 80), 0, 20_000, 1000)).toBe(5);
  });
  it('leaves out frames still waiting when the grace runs out: a stream falling behind', () => {
    // each frame 30 ms later than the one before (frame k out at 230·k ms): frames 92–99 come out after 21 s
    expect(detectionFps(frames(0, 100, (k) => 30 * k), 0, 20_000, 1000)).toBe(4.6);
  });
});

describe('percentiles', () => {
  it('nearest rank of the sorted values, rounded ms; null without values', () => {
    expect(percentiles(Array.from({ length: 100 }, (_, k) => 100 - k + 0.4))).toEqual({ n: 100, p50: 50, p95: 95, max: 100 });
    expect(percentiles([])).toBeNull();
  });
});

describe('the ramp', () => {
  const p = (p95: number) => ({ n: 10, p50: p95 / 2, p95, max: p95 });
  it('a step meets the criteria with every stream at 5 fps and p95 within 1 s; no events fails it', () => {
    expect(meetsCriteria({ streams: 4, minFps: 5, eventLatencyMs: p(1000) })).toBe(true);
    expect(meetsCriteria({ streams: 4, minFps: 4.95, eventLatencyMs: p(200) })).toBe(false);
    expect(meetsCriteria({ streams: 4, minFps: 5, eventLatencyMs: p(1001) })).toBe(false);
    expect(meetsCriteria({ streams: 4, minFps: 5, eventLatencyMs: null })).toBe(false);
  });
  it('doubles to 8, then adds 4', () => {
    const ramp = [1];
    while (ramp.length < 7) ramp.push(nextStreams(ramp.at(-1)!));
    expect(ramp).toEqual([1, 2, 4, 8, 12, 16, 20]);
  });
  it('stops after a failed step, or when another step as long as the last would overrun the budget', () => {
    expect(shouldRunStep(undefined, 1000, 480)).toBe(true);
    expect(shouldRunStep({ met: false, wallS: 30 }, 30, 480)).toBe(false);
    expect(shouldRunStep({ met: true, wallS: 60 }, 400, 480)).toBe(true);
    expect(shouldRunStep({ met: true, wallS: 60 }, 421, 480)).toBe(false);
  });
  it('the figure is the last step met before the first failure', () => {
    expect(densityFigure([{ streams: 1, met: true }, { streams: 4, met: true }, { streams: 2, met: true }, { streams: 8, met: false }])).toBe(4);
    expect(densityFigure([{ streams: 1, met: false }, { streams: 2, met: true }])).toBe(0);
    expect(densityFigure([])).toBe(0);
  });
});
