import { describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import type { Source, Stage } from '../stage.ts';
import { InProcessGraph, type DeadLetter } from './run-graph.ts';

const logger = pino({ level: 'silent' });

function counter(n: number): Source<number> {
  return {
    name: 'count',
    async run(ctx, signal) {
      for (let i = 0; i < n && !signal.aborted; i++) await ctx.forward(i);
    },
  };
}

function graph(stages: ConstructorParameters<typeof InProcessGraph>[0]['stages'], extra: Partial<ConstructorParameters<typeof InProcessGraph>[0]> = {}) {
  return new InProcessGraph({
    sources: [{ source: counter(50) as Source<unknown>, output: 'numbers' }],
    stages,
    queueCapacity: 2,
    logger,
    clock: { now: () => 0 },
    registry: new Registry(),
    ...extra,
  });
}

describe('in-process graph', () => {
  it('carries a source\'s idle marker in order with its records to the first stage with an idle hook, and no further', async () => {
    const log: string[] = [];
    const tapped: string[] = [];
    const source: Source<number> = {
      name: 'camera',
      async run(ctx) {
        for (let i = 0; i < 12; i++) {
          if (i === 5) await ctx.idle({ camera: 'c', ts: 500 });
          await ctx.forward(i);
        }
      },
    };
    // passes markers on without knowing them, with batches overtaking each other's processing
    const detect: Stage<number, number> = {
      name: 'detect',
      maxBatch: 3,
      batchesInFlight: 2,
      async process(records, ctx) {
        await new Promise((r) => setTimeout(r, records[0] === 3 ? 20 : 1));
        for (const r of records) await ctx.forward(r);
      },
    };
    const track: Stage<number, string> = {
      name: 'track',
      async process(records, ctx) {
        for (const r of records) log.push(`frame ${r}`);
        await ctx.forward('post');
      },
      async idle(idle, ctx) {
        log.push(`idle ${idle.camera} ${idle.ts}`);
        await ctx.forward('ended');
      },
    };
    const after: Stage<string, string> = { name: 'embed', process: async () => undefined };
    await graph(
      [
        { stage: detect as Stage<unknown, unknown>, input: 'frames', output: 'detections' },
        { stage: track as Stage<unknown, unknown>, input: 'detections', output: 'faces' },
        { stage: after as Stage<unknown, unknown>, input: 'faces' },
      ],
      {
        sources: [{ source: source as Source<unknown>, output: 'frames' }],
        taps: {
          frames: [(r) => void tapped.push(`record ${String(r)}`), { record: (r) => void tapped.push(`kafka ${String(r)}`), idle: async (i) => void tapped.push(`kafka idle ${i.ts}`) }],
        },
      },
    ).run();
    expect(log).toEqual([...[0, 1, 2, 3, 4].map((i) => `frame ${i}`), 'idle c 500', ...[5, 6, 7, 8, 9, 10, 11].map((i) => `frame ${i}`)]);
    // a tap that is a plain function sees records only; one with an idle handler sees the marker in its place
    expect(tapped.filter((t) => t.startsWith('record'))).toHaveLength(12);
    expect(tapped.filter((t) => t.startsWith('kafka'))).toEqual([...[0, 1, 2, 3, 4].map((i) => `kafka ${i}`), 'kafka idle 500', ...[5, 6, 7, 8, 9, 10, 11].map((i) => `kafka ${i}`)]);
  });

  it('a source\'s barrier passes once everything before it has gone through every stage, down every path', async () => {
    const seen = { slow: [] as number[], fast: [] as number[], sink: [] as string[] };
    let atBarrier: typeof seen | undefined;
    const source: Source<number> = {
      name: 'camera',
      async run(ctx) {
        for (let i = 0; i < 10; i++) await ctx.forward(i);
        await ctx.passedDownstream!();
        atBarrier = structuredClone(seen);
        await ctx.forward(10); // after the barrier: not waited for
      },
    };
    // two consumers of the source's topic (a fan-out), one of them in batches overtaking each other, then a stage without output
    const slow: Stage<number, string> = {
      name: 'slow',
      maxBatch: 3,
      batchesInFlight: 2,
      async process(records, ctx) {
        await new Promise((r) => setTimeout(r, 5));
        for (const r of records) {
          seen.slow.push(r);
          await ctx.forward(`post ${r}`);
        }
      },
    };
    const fast: Stage<number, never> = { name: 'fast', async process(records) { seen.fast.push(...records); } };
    const sink: Stage<string, never> = {
      name: 'sink',
      async process(records) {
        await new Promise((r) => setTimeout(r, 2));
        seen.sink.push(...records);
      },
    };
    const g = graph(
      [
        { stage: slow as Stage<unknown, unknown>, input: 'numbers', output: 'posts' },
        { stage: fast as Stage<unknown, unknown>, input: 'numbers' },
        { stage: sink as Stage<unknown, unknown>, input: 'posts' },
      ],
      { sources: [{ source: source as Source<unknown>, output: 'numbers' }] },
    );
    await g.run();
    const ten = Array.from({ length: 10 }, (_, i) => i);
    expect(atBarrier).toEqual({ slow: ten, fast: ten, sink: ten.map((i) => `post ${i}`) });
    expect(seen.sink).toHaveLength(11);
  });

  it('a barrier on its way is released by stop()', async () => {
    let passed = false;
    const source: Source<number> = {
      name: 'camera',
      async run(ctx) {
        await ctx.forward(1);
        await ctx.passedDownstream!();
        passed = true;
      },
    };
    let unblock!: () => void;
    const blocked = new Promise<void>((resolve) => (unblock = resolve));
    const stuck: Stage<number, never> = { name: 'stuck', process: () => blocked };
    const g = graph([{ stage: stuck as Stage<unknown, unknown>, input: 'numbers' }], { sources: [{ source: source as Source<unknown>, output: 'numbers' }] });
    const running = g.run();
    await new Promise((r) => setTimeout(r, 20));
    expect(passed).toBe(false);
    g.stop();
    await new Promise((r) => setTimeout(r, 1));
    expect(passed).toBe(true);
    unblock();
    await running;
  });

  it('keeps order through stages, batches without waiting, flushes at end, fans out to taps', async () => {
    const seen: number[] = [];
    const batches: number[] = [];
    const double: Stage<number, number> = {
      name: 'double',
      maxBatch: 4,
      async process(records, ctx) {
        batches.push(records.length);
        for (const r of records) await ctx.forward(r * 2);
      },
      async flush(ctx) {
        await ctx.forward(-1);
      },
    };
    await graph([{ stage: double as Stage<unknown, unknown>, input: 'numbers', output: 'doubled' }], {
      taps: { doubled: [(r) => void seen.push(r as number)] },
    }).run();
    expect(seen).toEqual([...Array.from({ length: 50 }, (_, i) => i * 2), -1]);
    expect(Math.max(...batches)).toBeLessThanOrEqual(4);
  });

  it('applies back-pressure: a slow stage holds the source back to the queue capacity', async () => {
    let produced = 0;
    let maxAhead = 0;
    const source: Source<number> = {
      name: 'fast',
      async run(ctx) {
        for (let i = 0; i < 30; i++) {
          produced++;
          await ctx.forward(i);
        }
      },
    };
    let consumed = 0;
    const slow: Stage<number, never> = {
      name: 'slow',
      async process() {
        await new Promise((r) => setTimeout(r, 2));
        consumed++;
        maxAhead = Math.max(maxAhead, produced - consumed);
      },
    };
    await graph([{ stage: slow as Stage<unknown, unknown>, input: 'numbers' }], { sources: [{ source: source as Source<unknown>, output: 'numbers' }] }).run();
    expect(consumed).toBe(30);
    // queue capacity 2 + one record in the stage's hands + one the source is pushing
    expect(maxAhead).toBeLessThanOrEqual(4);
  });

  it('sends a failing record to the dead letters and goes on with the rest of its batch', async () => {
    const letters: DeadLetter[] = [];
    const out: number[] = [];
    const picky: Stage<number, number> = {
      name: 'picky',
      maxBatch: 8,
      async process(records, ctx) {
        const results = records.map((r) => {
          if (r === 7) throw new Error('seven is poison');
          return r;
        });
        for (const r of results) await ctx.forward(r);
      },
    };
    await graph([{ stage: picky as Stage<unknown, unknown>, input: 'numbers', output: 'ok' }], {
      taps: { ok: [(r) => void out.push(r as number)] },
      onDeadLetter: (l) => letters.push(l),
    }).run();
    expect(letters).toEqual([{ stage: 'picky', reason: 'seven is poison', record: 7 }]);
    expect(out).toHaveLength(49);
    expect(out).not.toContain(7);
  });

  it('a topic a stage and a source both produce ends after both: the source ending first cuts nothing the stage sends, its flush included', async () => {
    const seen: number[] = [];
    const double: Stage<number, number> = {
      name: 'double',
      async process(records, ctx) {
        for (const r of records) await ctx.forward(r * 2);
      },
      async flush(ctx) {
        await ctx.forward(-1);
      },
    };
    const tail: Stage<number, never> = { name: 'tail', process: (records) => void seen.push(...records) };
    const quick: Source<number> = { name: 'quick', run: (ctx) => ctx.forward(1000) };
    await graph([{ stage: double as Stage<unknown, unknown>, input: 'numbers', output: 'out' }, { stage: tail as Stage<unknown, unknown>, input: 'out' }], {
      sources: [{ source: counter(50) as Source<unknown>, output: 'numbers' }, { source: quick as Source<unknown>, output: 'out' }],
    }).run();
    expect(seen.filter((n) => n >= 0 && n < 1000)).toEqual(Array.from({ length: 50 }, (_, i) => i * 2));
    expect(seen).toContain(1000);
    expect(seen.at(-1)).toBe(-1);
  });

  it('drains on the signal: sources stop, what was read flows through, stages flush; stop() drops', async () => {
    const ac = new AbortController();
    const seen: number[] = [];
    let flushed = false;
    const tail: Stage<number, never> = {
      name: 'tail',
      async process(records) {
        seen.push(...records);
        if (records.includes(5)) ac.abort();
      },
      flush() {
        flushed = true;
      },
    };
    await graph([{ stage: tail as Stage<unknown, unknown>, input: 'numbers' }], { signal: ac.signal }).run();
    expect(flushed).toBe(true);
    expect(seen.length).toBeLessThan(50);
    expect(seen).toEqual(Array.from({ length: seen.length }, (_, i) => i));

    let hardFlushed = false;
    const g = graph([
      {
        stage: {
          name: 'stopper',
          async process() {
            g.stop();
          },
          flush() {
            hardFlushed = true;
          },
        } as Stage<unknown, unknown>,
        input: 'numbers',
      },
    ]);
    await g.run();
    expect(hardFlushed).toBe(false);
  });

  it('open topics: sources are added and stopped one by one while it runs; it ends only when drained after the last', async () => {
    const seen: string[] = [];
    let flushed = false;
    const tail: Stage<string, never> = {
      name: 'tail',
      async process(records) {
        seen.push(...records);
      },
      flush() {
        flushed = true;
      },
    };
    /** a camera that sends `name:i` every ms until stopped, or `n` records */
    const camera = (name: string, n = Infinity): Source<unknown> => ({
      name: `camera ${name}`,
      async run(ctx, signal) {
        for (let i = 0; i < n && !signal.aborted; i++) {
          await ctx.forward(`${name}:${i}`);
          await new Promise((r) => setTimeout(r, 1));
        }
      },
    });
    const g = graph([{ stage: tail as Stage<unknown, unknown>, input: 'frames' }], { sources: [], openTopics: ['frames'] });
    expect(() => g.addSource({ source: camera('x'), output: 'numbers' })).toThrow(/not one of the graph's open topics/);
    const running = g.run();
    const a = g.addSource({ source: camera('a'), output: 'frames' });
    const b = g.addSource({ source: camera('b', 3), output: 'frames' });
    await b.done; // a source that ends leaves the topic open for the others
    const failing = g.addSource({
      source: { name: 'broken camera', run: () => Promise.reject(new Error('connection refused')) },
      output: 'frames',
    });
    await expect(failing.done).rejects.toThrow('connection refused');
    const countA = () => seen.filter((r) => r.startsWith('a:')).length;
    const before = countA();
    await new Promise((r) => setTimeout(r, 20));
    expect(countA()).toBeGreaterThan(before); // a went on meanwhile
    a.stop();
    await a.done;
    const stoppedAt = countA();
    const c = g.addSource({ source: camera('c', 2), output: 'frames' });
    await c.done;
    await new Promise((r) => setTimeout(r, 10));
    expect(countA()).toBe(stoppedAt);
    expect(flushed).toBe(false); // nothing running, but not drained: more cameras may come
    g.drain();
    await running;
    expect(flushed).toBe(true);
    expect(seen.filter((r) => r.startsWith('b:'))).toEqual(['b:0', 'b:1', 'b:2']);
    expect(seen.filter((r) => r.startsWith('c:'))).toEqual(['c:0', 'c:1']);
    expect(() => g.addSource({ source: camera('d'), output: 'frames' })).toThrow(/draining/);
  });

  it('open topics: drain() waits for the sources still running, then ends', async () => {
    const seen: string[] = [];
    const tail: Stage<string, never> = { name: 'tail', process: (records) => void seen.push(...records) };
    const g = graph([{ stage: tail as Stage<unknown, unknown>, input: 'frames' }], { sources: [], openTopics: ['frames'] });
    const running = g.run();
    const slow = g.addSource({
      source: {
        name: 'slow',
        async run(ctx, signal) {
          await new Promise((r) => setTimeout(r, 20));
          await ctx.forward(signal.aborted ? 'read after the stop' : 'never');
        },
      },
      output: 'frames',
    });
    g.drain();
    await slow.done;
    await running;
    expect(seen).toEqual(['read after the stop']);
  });

  it('rejects when a stage cannot start, without leaving the source blocked', async () => {
    const broken: Stage<number, never> = {
      name: 'broken',
      init() {
        throw new Error('no model file');
      },
      process() {},
    };
    await expect(graph([{ stage: broken as Stage<unknown, unknown>, input: 'numbers' }]).run()).rejects.toThrow('no model file');
  });

  it('batches in flight: the next batch starts before the last is done, outputs keep input order, a failing batch sends nothing twice', async () => {
    const seen: number[] = [];
    let inProcess = 0;
    let most = 0;
    const slowFirst: Stage<number, number> = {
      name: 'slow-first',
      maxBatch: 3,
      batchesInFlight: 2,
      async process(records, ctx) {
        inProcess++;
        most = Math.max(most, inProcess);
        // earlier batches take longer, so later ones finish first
        await new Promise((r) => setTimeout(r, records[0]! % 2 === 0 ? 15 : 1));
        inProcess--;
        for (const r of records) {
          await ctx.forward(r);
          if (r === 7) throw new Error('seven is poison');
        }
      },
    };
    const letters: DeadLetter[] = [];
    await graph([{ stage: slowFirst as Stage<unknown, unknown>, input: 'numbers', output: 'out' }], {
      taps: { out: [(r) => void seen.push(r as number)] },
      queueCapacity: 8,
      onDeadLetter: (l) => letters.push(l),
    }).run();
    expect(most).toBe(2);
    expect(seen).toEqual(Array.from({ length: 50 }, (_, i) => i).filter((i) => i !== 7));
    expect(letters.map((l) => l.record)).toEqual([7]);
  });
});
