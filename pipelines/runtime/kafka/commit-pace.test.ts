import { describe, expect, it } from 'vitest';
import { CommitPace } from './commit-pace.ts';

describe('CommitPace', () => {
  it('starts small, then sizes commits to the interval at the measured pace', () => {
    const pace = new CommitPace(100, 5000);
    expect(pace.next()).toBe(16);
    pace.observe(16, 0.8); // 50 µs a record → 2,000 records in 100 ms
    expect(pace.next()).toBe(2000);
  });

  it('never exceeds max records nor drops below one record', () => {
    const fast = new CommitPace(100, 5000);
    fast.observe(100, 0.01);
    expect(fast.next()).toBe(5000);
    const slow = new CommitPace(100, 5000);
    slow.observe(2, 400); // 200 ms a frame
    expect(slow.next()).toBe(1);
  });

  it('follows a change of pace smoothly', () => {
    const pace = new CommitPace(100, 100_000);
    pace.observe(1000, 100); // 0.1 ms a record
    expect(pace.next()).toBe(1000);
    pace.observe(10, 10); // 1 ms a record: a slower patch moves the size, not all the way at once
    const after = pace.next();
    expect(after).toBeLessThan(1000);
    expect(after).toBeGreaterThan(100);
  });

  it('covers at least four times what a commit takes, so commits cost at most about a fifth of the time', () => {
    const pace = new CommitPace(100, 5000);
    pace.observe(3, 90); // detect: 30 ms a frame → 3 frames per 100 ms
    expect(pace.next()).toBe(3);
    pace.observeCommit(50); // but a transaction takes 50 ms: 200 ms of frames per commit
    expect(pace.next()).toBe(6);
  });
});
