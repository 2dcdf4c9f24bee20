// The sink's batching and ordering, with a recording writer (no database).
import { describe, expect, it } from 'vitest';
import type { EpisodeChange, FaceEvent } from '../../schemas/records.ts';
import { createAnalyticsSink } from './sink.ts';
import type { AnalyticsWriter } from './writer.ts';
import { testChange, testEvent } from './test-events.ts';

function recordingWriter(failures = 0) {
  const calls: Array<{ kind: 'events' | 'changes'; ids: string[] }> = [];
  let fail = failures;
  const writer: AnalyticsWriter = {
    async writeEvents(events: readonly FaceEvent[]) {
      if (fail-- > 0) throw new Error('insert failed');
      calls.push({ kind: 'events', ids: events.map((e) => e.id) });
    },
    async writeEpisodeChanges(changes: readonly EpisodeChange[]) {
      calls.push({ kind: 'changes', ids: changes.map((c) => c.episodeId) });
    },
  };
  return { writer, calls };
}

const events = (n: number, from = 0) => Array.from({ length: n }, (_, i) => testEvent({ id: `e${from + i}`, ts: 1_000 }));

describe('analytics sink batching', () => {
  it('writes at maxRows rows, not before', async () => {
    const { writer, calls } = recordingWriter();
    const sink = createAnalyticsSink({ writer, batching: { maxRows: 1000, maxDelayMs: 1000 } });
    await sink.addEvents(events(999), 0);
    expect(calls).toEqual([]);
    await sink.addEvents(events(3, 999), 10);
    expect(calls.map((c) => c.ids.length)).toEqual([1000]);
    expect(sink.counts()).toMatchObject({ pendingEvents: 2, eventsWritten: 1000, batchesWritten: 1 });
  });

  it('writes what waited maxDelayMs on punctuate, events before episode changes', async () => {
    const { writer, calls } = recordingWriter();
    const sink = createAnalyticsSink({ writer, batching: { maxRows: 1000, maxDelayMs: 1000 } });
    await sink.addEpisodeChanges([testChange('open', 'ep1', 'e0', { eventsCount: 1, startTs: 1_000, endTs: 1_000 })], 100);
    await sink.addEvents(events(2), 200);
    await sink.punctuate(1099);
    expect(calls).toEqual([]);
    await sink.punctuate(1100);
    expect(calls).toEqual([{ kind: 'changes', ids: ['ep1'] }]);
    await sink.punctuate(1200);
    expect(calls[1]).toEqual({ kind: 'events', ids: ['e0', 'e1'] });
    await sink.addEvents(events(1, 5), 2000);
    await sink.addEpisodeChanges([testChange('close', 'ep1', null, { eventsCount: 1, startTs: 1_000, endTs: 1_000 })], 2000);
    await sink.flush();
    expect(calls.slice(2)).toEqual([
      { kind: 'events', ids: ['e5'] },
      { kind: 'changes', ids: ['ep1'] },
    ]);
    expect(sink.counts()).toMatchObject({ pendingEvents: 0, pendingEpisodeChanges: 0, eventsWritten: 3, episodeChangesWritten: 2 });
  });

  it('keeps a batch whose write failed and writes it next time', async () => {
    const { writer, calls } = recordingWriter(1);
    const sink = createAnalyticsSink({ writer, batching: { maxRows: 2, maxDelayMs: 1000 } });
    await expect(sink.addEvents(events(2), 0)).rejects.toThrow('insert failed');
    expect(sink.counts().pendingEvents).toBe(2);
    await sink.punctuate(1000);
    expect(calls).toEqual([{ kind: 'events', ids: ['e0', 'e1'] }]);
    expect(sink.counts()).toMatchObject({ pendingEvents: 0, eventsWritten: 2 });
  });
});
