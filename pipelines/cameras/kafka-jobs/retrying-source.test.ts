import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { systemClock, type Source, type SourceContext } from '../../runtime/stage.ts';
import { childSourceBackIn, childSourceFailureOf } from './child-counters.ts';
import { retryingSource, SOURCE_BACK_MSG, SOURCE_RETRY_MSG } from './retrying-source.ts';

const backoff = { initialMs: 5, maxMs: 20 };

/** A source that fails `failures` times, then hands on `frames` and ends. */
function flaky(failures: number, frames: number): Source<number> & { readonly runs: number } {
  let runs = 0;
  return {
    name: 'ingest',
    get runs() {
      return runs;
    },
    async run(ctx) {
      runs++;
      if (runs <= failures) throw new Error(`connection refused #${runs}`);
      for (let i = 0; i < frames; i++) await ctx.forward(i);
    },
  };
}

function contextOf(forward: (n: number) => Promise<void> = async () => undefined): SourceContext<number> {
  return { stage: 'ingest', logger: pino({ level: 'silent' }), clock: systemClock, forward, count: () => undefined, idle: async () => undefined };
}

describe('retryingSource', () => {
  it('reads a failing source again until it delivers, logging each failure', async () => {
    const warnings: Array<{ err: string; failuresInARow: number }> = [];
    const infos: string[] = [];
    const inner = flaky(3, 2);
    const got: number[] = [];
    const logger = { warn: (o: object, msg?: string) => msg === SOURCE_RETRY_MSG && warnings.push(o as never), info: (_: object, msg: string) => infos.push(msg) };
    const source = retryingSource(inner, { camera: 'door', backoff, logger: logger as never });
    await source.run(contextOf(async (n) => void got.push(n)), new AbortController().signal);
    expect(inner.runs).toBe(4);
    expect(got).toEqual([0, 1]);
    expect(warnings.map((w) => [w.err, w.failuresInARow])).toEqual([
      ['connection refused #1', 1],
      ['connection refused #2', 2],
      ['connection refused #3', 3],
    ]);
    expect(infos).toEqual([SOURCE_BACK_MSG]); // once, at the first frame after the failures
  });

  it('does not retry a failure of the stages after it, and ends its wait when stopped', async () => {
    const downstream = retryingSource(flaky(0, 1), { camera: 'door', backoff, logger: pino({ level: 'silent' }) });
    await expect(downstream.run(contextOf(() => Promise.reject(new Error('not acknowledged'))), new AbortController().signal)).rejects.toThrow('not acknowledged');

    const stop = new AbortController();
    const never = retryingSource(flaky(Infinity, 0), { camera: 'door', backoff: { initialMs: 60_000, maxMs: 60_000 }, logger: pino({ level: 'silent' }) });
    const running = never.run(contextOf(), stop.signal);
    setTimeout(() => stop.abort(), 20);
    await expect(running).resolves.toBeUndefined();
  });

  it("the worker finds the failure and the return in the child's lines", () => {
    expect(childSourceFailureOf(JSON.stringify({ level: 40, msg: SOURCE_RETRY_MSG, camera: 'door', err: 'Connection refused' }))).toBe('Connection refused');
    expect(childSourceFailureOf(JSON.stringify({ level: 40, msg: 'camera counters', err: 'x' }))).toBeUndefined();
    expect(childSourceFailureOf(`[camera@1] ${SOURCE_RETRY_MSG}`)).toBeUndefined();
    expect(childSourceBackIn(JSON.stringify({ level: 30, msg: SOURCE_BACK_MSG, camera: 'door' }))).toBe(true);
    expect(childSourceBackIn(JSON.stringify({ level: 40, msg: SOURCE_RETRY_MSG, err: 'x' }))).toBe(false);
  });
});
