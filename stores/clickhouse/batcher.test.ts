import { describe, expect, it } from 'vitest';
import { createBatcher } from './batcher.ts';

describe('createBatcher', () => {
  it('hands out full batches of maxRows as soon as they are full', () => {
    const b = createBatcher<number>({ maxRows: 3, maxDelayMs: 1000 });
    expect(b.add([1, 2], 0)).toEqual([]);
    expect(b.add([3, 4, 5, 6, 7], 10)).toEqual([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(b.size).toBe(1);
    expect(b.oldestAt).toBe(10);
  });

  it('is due maxDelayMs after its oldest pending row arrived', () => {
    const b = createBatcher<string>({ maxRows: 1000, maxDelayMs: 1000 });
    expect(b.due(0)).toBe(false);
    b.add(['a'], 100);
    b.add(['b'], 900);
    expect(b.due(1099)).toBe(false);
    expect(b.due(1100)).toBe(true);
    expect(b.takeAll()).toEqual(['a', 'b']);
    expect(b.due(5000)).toBe(false);
    expect(b.oldestAt).toBeNull();
  });

  it('ignores empty adds and keeps the oldest time', () => {
    const b = createBatcher<number>({ maxRows: 10, maxDelayMs: 50 });
    expect(b.add([], 0)).toEqual([]);
    expect(b.oldestAt).toBeNull();
    b.add([1], 10);
    b.add([], 40);
    expect(b.oldestAt).toBe(10);
  });

  it('requeues rows that failed in front, due from when they first waited', () => {
    const b = createBatcher<number>({ maxRows: 10, maxDelayMs: 100 });
    b.add([1, 2], 0);
    const batch = b.takeAll();
    b.add([3], 500);
    b.requeue(batch, 0);
    expect(b.takeAll()).toEqual([1, 2, 3]);
    b.requeue([9], 700);
    expect(b.due(799)).toBe(false);
    expect(b.due(800)).toBe(true);
  });

  it('refuses nonsense options', () => {
    expect(() => createBatcher({ maxRows: 0, maxDelayMs: 1 })).toThrow(RangeError);
  });
});
