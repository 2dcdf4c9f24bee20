// Time intervals in seconds, merged when they touch or overlap (Valossa occs / moccs).
export interface Interval {
  readonly ss: number;
  readonly se: number;
}

/** Sorted, non-overlapping union; intervals closer than `gap` seconds are joined. */
export function mergeIntervals(intervals: readonly Interval[], gap = 0): Interval[] {
  const sorted = [...intervals].sort((a, b) => a.ss - b.ss);
  const out: Interval[] = [];
  for (const iv of sorted) {
    const last = out[out.length - 1];
    if (last && iv.ss <= last.se + gap) out[out.length - 1] = { ss: last.ss, se: Math.max(last.se, iv.se) };
    else out.push({ ss: iv.ss, se: iv.se });
  }
  return out;
}
