import { describe, expect, it } from 'vitest';
import { assignGreedy, assignOptimal, type CostMatrix } from './assignment.ts';

const m = (rows: number[][]): CostMatrix => ({
  rows: rows.length,
  cols: rows[0]?.length ?? 0,
  cost: Float64Array.from(rows.flat()),
});
const X = Infinity;

describe('assignment', () => {
  it('optimal beats greedy when the cheapest pair blocks a better total', () => {
    const costs = m([
      [1, 2],
      [2, 100],
    ]);
    expect(assignGreedy(costs)).toEqual([{ row: 0, col: 0 }, { row: 1, col: 1 }]);
    expect(assignOptimal(costs)).toEqual([{ row: 0, col: 1 }, { row: 1, col: 0 }]);
  });

  it.each([
    ['forbidden pairs are never returned', [[X, 0.5], [0.2, X]], [{ row: 0, col: 1 }, { row: 1, col: 0 }]],
    ['a row with only forbidden pairs stays free', [[X, X], [0.3, 0.1]], [{ row: 1, col: 1 }]],
    ['more rows than columns', [[0.9], [0.1], [0.5]], [{ row: 1, col: 0 }]],
    ['more columns than rows', [[0.9, 0.1, 0.5]], [{ row: 0, col: 1 }]],
    ['maximises allowed pairs before cost', [[0.1, 0.2], [0.3, X]], [{ row: 0, col: 1 }, { row: 1, col: 0 }]],
  ])('optimal: %s', (_name, rows, expected) => {
    expect(assignOptimal(m(rows))).toEqual(expected);
  });

  it('handles empty matrices', () => {
    expect(assignOptimal({ rows: 0, cols: 3, cost: new Float64Array(0) })).toEqual([]);
    expect(assignGreedy({ rows: 2, cols: 0, cost: new Float64Array(0) })).toEqual([]);
  });
});
