import { describe, expect, it } from 'vitest';
import type { EpisodeChange, FaceEvent } from '../../schemas/records.ts';
import { createAnalyticsSink } from '../../stores/clickhouse/sink.ts';
import { testChange, testEvent } from '../../stores/clickhouse/test-events.ts';
import type { AnalyticsWriter } from '../../stores/clickhouse/writer.ts';
import { mockContext } from '../runtime/testing/mock-context.ts';
import { createSinkStages, StoreWriteError } from './stage.ts';

function setup(writeThrough = false) {
  const written: string[] = [];
  const writer: AnalyticsWriter = {
    async writeEvents(events: readonly FaceEvent[]) {
      written.push(...events.map((e) => `event ${e.id}`));
    },
    async writeEpisodeChanges(changes: readonly EpisodeChange[]) {
      written.push(...changes.map((c) => `${c.kind} ${c.episodeId}`));
    },
  };
  const sink = createAnalyticsSink({ writer, batching: { maxRows: 1000, maxDelayMs: 1000 } });
  return { written, stages: createSinkStages({ sink, writeThrough }) };
}

describe('sink stages', () => {
  it('buffer until punctuate finds the batch due, and write the rest on flush', async () => {
    const { written, stages } = setup();
    const ctx = mockContext<never>({ now: 0 });
    await stages.events.process([testEvent({ id: 'e1', ts: 0 })], ctx);
    await stages.episodes.process([testChange('open', 'ep', 'e1', { eventsCount: 1, startTs: 0, endTs: 0 })], ctx);
    await stages.events.punctuate!(999, ctx);
    expect(written).toEqual([]);
    await stages.events.punctuate!(1000, ctx);
    expect(written).toEqual(['event e1', 'open ep']);
    await stages.events.process([testEvent({ id: 'e2', ts: 0 })], ctx);
    await stages.events.flush!(ctx);
    expect(written).toEqual(['event e1', 'open ep', 'event e2']);
    expect(ctx.counts.get('sink_events')).toBe(2);
    expect(stages.events.maxBatch).toBe(1000);
  });

  it('write before process returns when write-through (Kafka)', async () => {
    const { written, stages } = setup(true);
    const ctx = mockContext<never>();
    await stages.events.process([testEvent({ id: 'e1', ts: 0 }), testEvent({ id: 'e2', ts: 0 })], ctx);
    expect(written).toEqual(['event e1', 'event e2']);
  });

  it('write-through: retries a refused write, then fails retryable (the runner stops instead of dead-lettering)', async () => {
    let refusals = 2;
    const written: string[] = [];
    const writer: AnalyticsWriter = {
      async writeEvents(events) {
        if (refusals-- > 0) throw new Error('connection refused');
        written.push(...events.map((e) => e.id));
      },
      async writeEpisodeChanges() {},
    };
    const sink = createAnalyticsSink({ writer, batching: { maxRows: 1000, maxDelayMs: 1000 } });
    const stages = createSinkStages({ sink, writeThrough: true, writeAttempts: 3, retryDelayMs: 1 });
    await stages.events.process([testEvent({ id: 'e1', ts: 0 })], mockContext<never>());
    expect(written).toEqual(['e1']);

    refusals = 10;
    const err = await Promise.resolve(stages.events.process([testEvent({ id: 'e2', ts: 0 })], mockContext<never>())).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StoreWriteError);
    expect((err as StoreWriteError).retryable).toBe(true);
    expect(sink.counts().pendingEvents).toBe(1); // kept, written by the next call that succeeds
    refusals = 0;
    await stages.events.process([testEvent({ id: 'e3', ts: 0 })], mockContext<never>());
    expect(written).toEqual(['e1', 'e2', 'e3']);
  });
});
