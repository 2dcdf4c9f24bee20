import { describe, expect, it } from 'vitest';
import { cameraDensityGoalRow, cameraDensitySection } from './camera-density-markdown.ts';
import type { DensityResults, DensityStep } from './camera-density.ts';

const step = (streams: number, met: boolean, rssMb: number, baseRssMb = 800): DensityStep => ({
  streams,
  met,
  wallS: 40,
  startupS: 10,
  fps: { min: met ? 5 : 4.2, median: 5, perStream: Array.from({ length: streams }, () => 5) },
  framesLate: met ? 0 : 16,
  framesDropped: 0,
  decodingSoftErrors: 0,
  restarts: 0,
  detectionLagMs: { n: 100, p50: 80, p95: 150, max: 200 },
  eventLatencyMs: { n: 40, p50: 200, p95: met ? 600 : 1800, max: 2000 },
  bestShotLatencyMs: { n: 40, p50: 700, p95: 1400, max: 2100 },
  events: 40,
  matchedEvents: 20,
  deadLetters: 0,
  cores: 0.12 * streams,
  serverCores: 0.01 * streams,
  otherCores: 0.02,
  baseRssMb,
  rssMb,
  peakRssMb: rssMb + 100,
});

const results = (steps: DensityStep[], ended: DensityResults['ended'], failed?: DensityResults['failed']): DensityResults => ({
  clip: { path: '/c/clip.mp4', command: 'ffmpeg …', made: false, sourceClip: 'clip.mp4', seconds: 20 },
  watchlist: 'examples/demo/watchlist',
  fps: 5,
  windowS: 20,
  staggerS: 20,
  warmupS: 5,
  graceS: 1,
  budgetS: 480,
  steps,
  figure: steps.filter((s) => s.met).at(-1)?.streams ?? 0,
  ended,
  ...(failed ? { failed } : {}),
  startedAt: '2026-12-03T10:00:00.000Z',
});

describe('camera density goal row', () => {
  it('is met at 16 streams or more within 100 MB (10^6 bytes) a stream over the base', () => {
    // 16 × 90 MiB = 1440 MiB over the base: 94 MB a stream
    const row = cameraDensityGoalRow(results([step(8, true, 1520), step(16, true, 2240), step(20, false, 2700)], 'criteria'));
    expect(row[2]).toBe('met');
    expect(row[1]).toContain('**16 streams**: detection min 5 fps, event p95 600 ms; per stream 0.12 cores, 90 MiB RSS over a base of 800 MiB');
  });
  it('is not met when a stream takes more than 100 MB, even at enough streams', () => {
    // 96 MiB = 100.7 MB
    expect(cameraDensityGoalRow(results([step(16, true, 800 + 16 * 96), step(20, false, 3000)], 'criteria'))[2]).toBe('**not met**');
  });
  it('says the figure is a lower bound when the ramp stopped before a step failed', () => {
    expect(cameraDensityGoalRow(results([step(1, true, 880), step(2, true, 960)], 'budget'))[1]).toContain('**2 streams** or more');
  });
  it('names the failure when no step met the criteria', () => {
    const row = cameraDensityGoalRow(results([], 'failed', { streams: 1, error: 'exit 1: no frame' }));
    expect(row[2]).toBe('**not met**');
    expect(row[1]).toContain('the facestream process failed (exit 1: no frame)');
  });
});

describe('camera density section', () => {
  it('a row per step and a warning for steps beside other load', () => {
    const busy = { ...step(2, true, 960), otherCores: 1.2 };
    const md = cameraDensitySection(results([step(1, true, 880), busy], 'list'), 'Produced by x.', 'from now');
    expect(md.split('\n').filter((l) => /^\| \d+ \|/.test(l))).toHaveLength(2);
    expect(md).toContain('**Disturbed:** the rest of the machine used more than 0.15 cores during the step of 2 streams');
  });
});
