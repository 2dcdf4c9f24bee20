import { describe, expect, it } from 'vitest';
import { verificationMetrics } from './accuracy.ts';

describe('verificationMetrics', () => {
  const sims = [
    { s: 0.9, same: true },
    { s: 0.6, same: true },
    { s: 0.45, same: true },
    { s: 0.3, same: false },
    { s: 0.1, same: false },
    { s: 0.5, same: false },
  ];

  it('finds the interval of best accuracy and its midpoint', () => {
    const r = verificationMetrics(sims, 0.4);
    expect(r.accuracyAtThreshold).toBeCloseTo(5 / 6, 4);
    // 0.5 is the lone different pair above 0.45: the best is 5/6 on (0.3, 0.45] and on (0.5, 0.6]
    expect(r.bestAccuracy).toBeCloseTo(5 / 6, 4);
    expect(r.bestInterval).toEqual([0.3, 0.45]);
    expect(r.bestThreshold).toBeCloseTo(0.375, 4);
  });

  it('TAR at FAR ≤ 1 % uses the lowest threshold that rejects enough impostors', () => {
    const r = verificationMetrics(sims, 0.4);
    // 3 impostors: FAR ≤ 1 % means none accepted ⇒ threshold just above 0.5, at the next observed value 0.6
    expect(r.thresholdAtFar1).toBe(0.6);
    expect(r.tarAtFar1).toBeCloseTo(2 / 3, 4);
  });
});
