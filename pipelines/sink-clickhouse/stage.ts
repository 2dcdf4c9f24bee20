// The analytics sink as stages (pipelines/registry.ts; topologies put them after match and episodes): `sink-events` on topic matches and
// `sink-episodes` on topic episodes share one AnalyticsSink (stores/clickhouse/sink.ts), which batches and writes.
// `writeThrough` (for the Kafka runner, which commits input offsets when `process` returns): every `process`
// writes what it was handed before returning, so nothing acknowledged is still only in memory. Without it
// (in process) rows wait for 1,000 of them or 1 s, written on `punctuate`, and everything on `flush`.
import type { EpisodeChange, FaceEvent } from '../../schemas/records.ts';
import type { AnalyticsSink } from '../../stores/clickhouse/sink.ts';
import type { Stage } from '../runtime/stage.ts';

export interface SinkStagesOptions {
  readonly sink: AnalyticsSink;
  readonly writeThrough?: boolean;
  /** how often pending rows are checked for their delay (ms), 250 by default */
  readonly punctuateEveryMs?: number;
  /** write-through: attempts of a failed write before `process` gives up (3 by default), and the first pause (200 ms, doubling) */
  readonly writeAttempts?: number;
  readonly retryDelayMs?: number;
}

/**
 * A write the store refused after its retries. Marked retryable, so the Kafka runner stops the stage (its
 * supervisor restarts it and the uncommitted input is read again) instead of dead-lettering records that are
 * fine: a store outage must not turn into lost events.
 */
export class StoreWriteError extends Error {
  override readonly name = 'StoreWriteError';
  readonly retryable = true;
}

export interface SinkStages {
  readonly events: Stage<FaceEvent, never>;
  readonly episodes: Stage<EpisodeChange, never>;
}

export function createSinkStages(options: SinkStagesOptions): SinkStages {
  const { sink } = options;
  const every = options.punctuateEveryMs ?? 250;
  const attempts = Math.max(1, options.writeAttempts ?? 3);
  const delay = options.retryDelayMs ?? 200;
  /** write-through: adds, then writes everything pending (what an earlier failure left too), retrying */
  async function addAndWrite(add: () => Promise<void>): Promise<void> {
    if (!options.writeThrough) return add();
    let failure: unknown;
    try {
      await add();
    } catch (err) {
      failure = err; // the batch is back in the sink: the flush below writes it
    }
    for (let attempt = 1; attempt <= attempts; attempt++) {
      try {
        await sink.flush();
        return;
      } catch (err) {
        failure = err;
        if (attempt < attempts) await new Promise((r) => setTimeout(r, delay * 2 ** (attempt - 1)));
      }
    }
    throw new StoreWriteError(`the analytics store refused a write ${attempts} times: ${failure instanceof Error ? failure.message : String(failure)}`, { cause: failure });
  }
  const common = {
    maxBatch: 1000,
    // Over Kafka every process() call is a ClickHouse insert (~60 ms of chdb CPU whatever its size, and a part to merge): fetches
    // wait up to 1 s for input, so the inserts are about one a second, not one per event.
    ...(options.writeThrough ? { gatherMs: 1000 } : {}),
    punctuateEveryMs: every,
    punctuate: (now: number) => sink.punctuate(now),
    flush: () => sink.flush(),
    close: () => sink.flush(),
  };
  return {
    events: {
      name: 'sink-events',
      ...common,
      async process(records, ctx) {
        await addAndWrite(() => sink.addEvents(records, ctx.clock.now()));
        ctx.count('sink_events', records.length);
      },
    },
    episodes: {
      name: 'sink-episodes',
      ...common,
      async process(records, ctx) {
        await addAndWrite(() => sink.addEpisodeChanges(records, ctx.clock.now()));
        ctx.count('sink_episode_changes', records.length);
      },
    },
  };
}
