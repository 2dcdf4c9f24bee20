import { describe, expect, it } from 'vitest';
import { faceQuality, type QualityInput } from './quality.ts';

const good: QualityInput = { score: 0.99, height: 120, pose: { yaw: 3, pitch: -4 }, sharpness: 0.9 };

describe('faceQuality', () => {
  it('gives a frontal, sharp, confident 120 px face better than −1 (and never above 0)', () => {
    const q = faceQuality(good);
    expect(q).toBeGreaterThan(-1);
    expect(q).toBeLessThanOrEqual(0);
  });

  it('rates a 20 px face at most satisfactory (≤ −2)', () => {
    expect(faceQuality({ ...good, height: 20 })).toBeLessThanOrEqual(-2);
  });

  it('rates a face turned 70° at most satisfactory (≤ −2), either way', () => {
    expect(faceQuality({ ...good, pose: { yaw: 70, pitch: 0 } })).toBeLessThanOrEqual(-2);
    expect(faceQuality({ ...good, pose: { yaw: -70, pitch: 0 } })).toBeLessThanOrEqual(-2);
  });

  it('never leaves [−5, 0]', () => {
    expect(faceQuality({ score: 0, height: 1, pose: { yaw: 90, pitch: 90 }, sharpness: 0 })).toBe(-5);
    expect(faceQuality({ score: 1, height: 5000, pose: { yaw: 0, pitch: 0 }, sharpness: 1 })).toBe(0);
  });

  it('is monotonic in each input', () => {
    const steps = 60;
    let prev = -Infinity;
    for (let i = 0; i <= steps; i++) {
      const q = faceQuality({ ...good, height: 5 + i * 4 });
      expect(q).toBeGreaterThanOrEqual(prev);
      prev = q;
    }
    prev = Infinity;
    for (let i = 0; i <= steps; i++) {
      const q = faceQuality({ ...good, pose: { yaw: i * 1.5, pitch: 0 } });
      expect(q).toBeLessThanOrEqual(prev);
      prev = q;
    }
    prev = Infinity;
    for (let i = 0; i <= steps; i++) {
      const q = faceQuality({ ...good, pose: { yaw: 0, pitch: -i * 1.5 } });
      expect(q).toBeLessThanOrEqual(prev);
      prev = q;
    }
    prev = -Infinity;
    for (let i = 0; i <= steps; i++) {
      const q = faceQuality({ ...good, sharpness: i / steps });
      expect(q).toBeGreaterThanOrEqual(prev);
      prev = q;
    }
    prev = -Infinity;
    for (let i = 0; i <= steps; i++) {
      const q = faceQuality({ ...good, score: i / steps });
      expect(q).toBeGreaterThanOrEqual(prev);
      prev = q;
    }
  });

  it('adds moderate defects up', () => {
    const one = faceQuality({ ...good, height: 50 });
    const two = faceQuality({ ...good, height: 50, pose: { yaw: 35, pitch: 0 } });
    expect(two).toBeLessThan(one);
  });
});
