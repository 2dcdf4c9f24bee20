// The analytics sink: face events and episode changes in, batched ClickHouse inserts out (batcher.ts decides
// when, writer.ts writes). This is the one module to call; it knows no Kafka and no Stage.
//
//   const sink = createAnalyticsSink({ writer: createAnalyticsWriter({ client }), batching: { maxRows: 1000, maxDelayMs: 1000 } });
//   await sink.addEvents(events, now);          // writes full batches at once
//   await sink.addEpisodeChanges(changes, now);
//   await sink.punctuate(now);                  // call every ~100–250 ms: writes batches that waited maxDelayMs
//   await sink.flush();                         // at shutdown: writes everything pending
//
// How it plugs in as a stage (pipelines/sink-clickhouse/stage.ts, on the Stage contract of pipelines/runtime/stage.ts): two small stages, `sink-events` on topic `matches`
// and `sink-episodes` on topic `episodes` (a stage has one input), sharing one sink: `process` → add*,
// `punctuate` (punctuateEveryMs 250) → punctuate, `flush`/`close` → flush; `maxBatch` 1000. In process the
// buffering is safe (nothing is acknowledged upstream). The Kafka runner commits input offsets when `process`
// returns, so there rows still pending would be lost by a crash: that stage must write before returning
// (batch = what the runner hands over, up to maxBatch) or keep its pending rows as stage state. Writes are
// idempotent, so the repeats of at-least-once delivery are harmless either way. See docs/CLICKHOUSE.md.
import type { EpisodeChange, FaceEvent } from '../../schemas/records.ts';
import { createBatcher, DEFAULT_BATCHING, type Batcher, type BatchingOptions } from './batcher.ts';
import type { AnalyticsWriter } from './writer.ts';

export interface AnalyticsSinkOptions {
  readonly writer: AnalyticsWriter;
  readonly batching?: BatchingOptions;
}

export interface AnalyticsSinkCounts {
  readonly pendingEvents: number;
  readonly pendingEpisodeChanges: number;
  /** inserts done and rows written since creation */
  readonly batchesWritten: number;
  readonly eventsWritten: number;
  readonly episodeChangesWritten: number;
}

export interface AnalyticsSink {
  addEvents(events: readonly FaceEvent[], now: number): Promise<void>;
  addEpisodeChanges(changes: readonly EpisodeChange[], now: number): Promise<void>;
  /** Writes what has waited long enough. */
  punctuate(now: number): Promise<void>;
  /** Writes everything pending. */
  flush(): Promise<void>;
  counts(): AnalyticsSinkCounts;
}

export function createAnalyticsSink(options: AnalyticsSinkOptions): AnalyticsSink {
  const batching = options.batching ?? DEFAULT_BATCHING;
  const events = createBatcher<FaceEvent>(batching);
  const changes = createBatcher<EpisodeChange>(batching);
  const written = { batches: 0, events: 0, changes: 0 };
  /** writes run one at a time, in call order */
  let queue: Promise<void> = Promise.resolve();

  function serial(fn: () => Promise<void>): Promise<void> {
    const run = queue.then(fn);
    queue = run.catch(() => undefined);
    return run;
  }

  /** writes `batch`; on failure puts it back (to be written by a later call) and rethrows */
  async function write<T>(batcher: Batcher<T>, batch: T[], since: number, insert: (rows: readonly T[]) => Promise<void>): Promise<void> {
    if (batch.length === 0) return;
    try {
      await insert(batch);
    } catch (err) {
      batcher.requeue(batch, since);
      throw err;
    }
    written.batches++;
  }

  const writeEvents = async (batch: FaceEvent[], since: number) => {
    await write(events, batch, since, (rows) => options.writer.writeEvents(rows));
    written.events += batch.length;
  };
  const writeChanges = async (batch: EpisodeChange[], since: number) => {
    await write(changes, batch, since, (rows) => options.writer.writeEpisodeChanges(rows));
    written.changes += batch.length;
  };

  return {
    addEvents(records, now) {
      const ready = events.add(records, now);
      return ready.length === 0 ? Promise.resolve() : serial(async () => {
        for (const batch of ready) await writeEvents(batch, now);
      });
    },
    addEpisodeChanges(records, now) {
      const ready = changes.add(records, now);
      return ready.length === 0 ? Promise.resolve() : serial(async () => {
        for (const batch of ready) await writeChanges(batch, now);
      });
    },
    punctuate(now) {
      return serial(async () => {
        // events first: changes then link the events just written
        if (events.due(now)) {
          const since = events.oldestAt ?? now;
          await writeEvents(events.takeAll(), since);
        }
        if (changes.due(now)) {
          const since = changes.oldestAt ?? now;
          await writeChanges(changes.takeAll(), since);
        }
      });
    },
    flush() {
      return serial(async () => {
        const eventsSince = events.oldestAt ?? 0;
        await writeEvents(events.takeAll(), eventsSince);
        const changesSince = changes.oldestAt ?? 0;
        await writeChanges(changes.takeAll(), changesSince);
      });
    },
    counts() {
      return {
        pendingEvents: events.size,
        pendingEpisodeChanges: changes.size,
        batchesWritten: written.batches,
        eventsWritten: written.events,
        episodeChangesWritten: written.changes,
      };
    },
  };
}
