import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LiveIdleWatch, pauseBefore } from './idle.ts';

describe('pauseBefore (files, stream time)', () => {
  it('a gap of at least the timeout is a pause, idle that long after the frame before it', () => {
    expect(pauseBefore(null, 0, 10)).toBeNull();
    expect(pauseBefore(4, 4.1, 10)).toBeNull();
    expect(pauseBefore(4, 13.99, 10)).toBeNull();
    expect(pauseBefore(4, 14, 10)).toBe(14);
    expect(pauseBefore(4, 60, 10)).toBe(14);
  });
});

describe('LiveIdleWatch (live sources, the clock while waiting on the camera)', () => {
  beforeEach(() => vi.useFakeTimers({ now: 1_000_000 }));
  afterEach(() => vi.useRealTimers());
  const clock = { now: () => Date.now() };

  function watch() {
    const said: number[] = [];
    const w = new LiveIdleWatch(10_000, clock, async (ts) => void said.push(ts));
    return { w, said };
  }

  /** A wait on the camera that gives a frame after `ms`. */
  const frameAfter = (ms: number) => new Promise<string>((resolve) => setTimeout(() => resolve('frame'), ms));

  it('says idle once when a wait on the camera lasts the timeout, with the camera time since its last frame', async () => {
    const { w, said } = watch();
    w.seen(1_000_500, 1_000_000);
    const waiting = w.waitOn(frameAfter(25_000));
    await vi.advanceTimersByTimeAsync(25_000);
    await expect(waiting).resolves.toBe('frame');
    expect(said).toEqual([1_010_500]);
  });

  it('says nothing for waits shorter than the timeout, however long ingest spent elsewhere between them', async () => {
    const { w, said } = watch();
    for (let i = 0; i < 3; i++) {
      const waiting = w.waitOn(frameAfter(9_000));
      await vi.advanceTimersByTimeAsync(9_000);
      await waiting;
      w.seen(Date.now(), Date.now());
      // held up by the pipeline (a broker that does not acknowledge): not a wait on the camera
      await vi.advanceTimersByTimeAsync(60_000);
    }
    expect(said).toEqual([]);
  });

  it('a source that fails or stops is idle at once, but not twice in one quiet spell', async () => {
    const { w, said } = watch();
    w.seen(1_000_000, 1_000_000);
    const failing = w.waitOn(new Promise((_, reject) => setTimeout(() => reject(new Error('stalled')), 12_000)));
    const outcome = expect(failing).rejects.toThrow('stalled');
    await vi.advanceTimersByTimeAsync(12_000);
    await outcome;
    await w.gone();
    expect(said).toEqual([1_010_000]);
    w.seen(1_012_000, 1_012_000);
    await vi.advanceTimersByTimeAsync(3_000);
    await w.gone();
    expect(said).toEqual([1_010_000, 1_015_000]);
  });

  it('a timer that fires early by the clock still says idle a full timeout after the last frame', async () => {
    const said: number[] = [];
    // after the frame, the clock falls 1 ms behind the timers, as Date.now() and setTimeout can
    let lag = 0;
    const lagging = { now: () => Date.now() - lag };
    const w = new LiveIdleWatch(10_000, lagging, async (ts) => void said.push(ts));
    w.seen(2_000_000, lagging.now());
    lag = 1;
    const waiting = w.waitOn(frameAfter(15_000));
    await vi.advanceTimersByTimeAsync(15_000);
    await waiting;
    expect(said).toEqual([2_010_000]);
  });
});
