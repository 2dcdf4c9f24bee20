import { describe, expect, it } from 'vitest';
import type { EpisodeChange, FaceEvent } from '../../schemas/records.ts';
import { createAnalyticsSink } from '../../stores/clickhouse/sink.ts';
import { testChange, testEvent } from '../../stores/clickhouse/test-events.ts';
import type { AnalyticsWriter } from '../../stores/clickhouse/writer.ts';
import { mockContext } from '../runtime/testing/mock-context.ts';
import { createSinkStages } from './stage.ts';

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
});
