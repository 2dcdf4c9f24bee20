import { describe, expect, it } from 'vitest';
import type { Point } from '../schemas/records.ts';
import { ARCFACE_112, alignmentMatrix, similarityTransform, templateFor } from './align.ts';
import { applyAffine } from './image/affine.ts';

describe('similarityTransform', () => {
  it('recovers a known similarity exactly', () => {
    const angle = 0.37;
    const scale = 2.3;
    const [tx, ty] = [41.5, -12.25];
    const a = scale * Math.cos(angle);
    const b = scale * Math.sin(angle);
    const src: Point[] = [[1, 2], [10, 3], [5, 9], [2, 14], [11, 15]];
    const dst = src.map(([x, y]) => [a * x - b * y + tx, b * x + a * y + ty] as const);
    const m = similarityTransform(src, dst);
    const expected = [a, -b, tx, b, a, ty];
    m.forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 10));
  });

  it('is the least-squares fit when points are noisy (residual mean is zero)', () => {
    const src: Point[] = [[0, 0], [10, 0], [5, 5], [1, 10], [9, 10]];
    const dst: Point[] = [[1, 1], [21, 0], [11, 11], [2, 21], [19, 20]];
    const m = similarityTransform(src, dst);
    let rx = 0;
    let ry = 0;
    src.forEach((p, i) => {
      const [x, y] = applyAffine(m, p[0], p[1]);
      rx += x - dst[i]![0];
      ry += y - dst[i]![1];
    });
    expect(rx).toBeCloseTo(0, 9);
    expect(ry).toBeCloseTo(0, 9);
  });

  it('maps the template onto itself with the identity and scales with the output size', () => {
    const m = alignmentMatrix(ARCFACE_112, 112);
    [1, 0, 0, 0, 1, 0].forEach((v, i) => expect(m[i]).toBeCloseTo(v, 10));
    expect(templateFor(224)[0]).toEqual([ARCFACE_112[0]![0] * 2, ARCFACE_112[0]![1] * 2]);
  });

  it('rejects degenerate input', () => {
    expect(() => similarityTransform([[1, 1], [1, 1]], [[0, 0], [1, 1]])).toThrow(/coincide/);
  });
});
