// The camera-density bench's arithmetic (pure): per-stream detection rate over the measuring window, latency
// percentiles, whether a step of the ramp met the criteria, the next step and the figure.
import { quantile, round } from './analytics.ts';

/** Issue 5: ≥ 16 streams of 720p 25 fps per 2-core box with detection ≥ 5 fps each, event latency p95 ≤ 1 s, ≤ 100 MB a stream. */
export const DENSITY_GOAL = { streams: 16, detectionFps: 5, latencyP95Ms: 1000, rssPerStreamMb: 100 } as const;

export interface Percentiles {
  readonly n: number;
  readonly p50: number;
  readonly p95: number;
  readonly max: number;
}

/** Nearest-rank p50/p95/max of `xs` (ms, rounded), or null when there are none. */
export function percentiles(xs: readonly number[]): Percentiles | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  return { n: s.length, p50: Math.round(quantile(s, 0.5)), p95: Math.round(quantile(s, 0.95)), max: Math.round(s[s.length - 1]!) };
}

/** One frame through detection: when it was captured (its ts) and when its detections came out (wall clock), ms. */
export interface Detected {
  readonly captureMs: number;
  readonly detectedMs: number;
}

/**
 * Detection frames/s of one stream over the window [fromMs, toMs): frames captured in it whose detections came out
 * by toMs + graceMs, over the window's length. A stream that keeps up counts exactly its sampled rate (its capture
 * times are evenly spaced); one that falls behind has frames still waiting when the grace runs out.
 */
export function detectionFps(frames: readonly Detected[], fromMs: number, toMs: number, graceMs: number): number {
  const inTime = frames.filter((f) => f.captureMs >= fromMs && f.captureMs < toMs && f.detectedMs <= toMs + graceMs).length;
  return round(inTime / ((toMs - fromMs) / 1000), 2);
}

/** What the ramp's decision needs of one step. */
export interface StepVerdictInput {
  readonly streams: number;
  /** the slowest stream's detection frames/s; every stream must reach the goal */
  readonly minFps: number;
  /** null: no event in the window, so the latency criterion cannot be met */
  readonly eventLatencyMs: Percentiles | null;
}

export function meetsCriteria(s: StepVerdictInput): boolean {
  return s.minFps >= DENSITY_GOAL.detectionFps && s.eventLatencyMs !== null && s.eventLatencyMs.p95 <= DENSITY_GOAL.latencyP95Ms;
}

/** The ramp 1, 2, 4, 8, then 4 more at a time (12, 16, 20, …): fine steps around the goal of 16. */
export function nextStreams(n: number): number {
  return n < 8 ? n * 2 : n + 4;
}

/**
 * Whether to run a step of `next` streams: not after a step failed the criteria, nor when the last step's length
 * (a larger one takes at least as long) would overrun the time budget.
 */
export function shouldRunStep(last: { readonly met: boolean; readonly wallS: number } | undefined, elapsedS: number, budgetS: number): boolean {
  if (!last) return true;
  return last.met && elapsedS + last.wallS <= budgetS;
}

/** The figure: the most streams of a step that met the criteria, every smaller step having met them too (0: none). */
export function densityFigure(steps: readonly { readonly streams: number; readonly met: boolean }[]): number {
  let best = 0;
  for (const s of [...steps].sort((a, b) => a.streams - b.streams)) {
    if (!s.met) break;
    best = s.streams;
  }
  return best;
}
