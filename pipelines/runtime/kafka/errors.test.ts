import { afterEach, describe, expect, it, vi } from 'vitest';
import { withRetries } from './errors.ts';

const transient = () => Object.assign(new Error('registry away'), { retryable: true });

describe('withRetries', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('retries a retryable failure with doubling delays, then gives up with the last error', async () => {
    vi.useFakeTimers();
    const seen: Array<[number, number]> = [];
    let calls = 0;
    const run = withRetries(
      async () => {
        calls++;
        throw transient();
      },
      3,
      (_err, attempt, delayMs) => seen.push([attempt, delayMs]),
    );
    const settled = run.catch((err: unknown) => err);
    await vi.runAllTimersAsync();
    expect(await settled).toMatchObject({ message: 'registry away' });
    expect(calls).toBe(4);
    expect(seen).toEqual([
      [1, 100],
      [2, 200],
      [3, 400],
    ]);
  });

  it('answers at once when the first attempt succeeds, and does not retry other errors (a throw becomes a rejection)', async () => {
    expect(await withRetries(async () => 7, 3, () => undefined)).toBe(7);
    let calls = 0;
    const thrown = withRetries(
      () => {
        calls++;
        throw new Error('bad record');
      },
      3,
      () => undefined,
    );
    await expect(thrown).rejects.toThrow('bad record');
    expect(calls).toBe(1);
  });

  it('succeeds on a later attempt', async () => {
    vi.useFakeTimers();
    let calls = 0;
    const run = withRetries(async () => (++calls < 3 ? Promise.reject(transient()) : 'ok'), 5, () => undefined);
    await vi.runAllTimersAsync();
    expect(await run).toBe('ok');
    expect(calls).toBe(3);
  });
});
