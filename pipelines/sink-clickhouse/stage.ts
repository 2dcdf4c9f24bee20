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
}

export interface SinkStages {
  readonly events: Stage<FaceEvent, never>;
  readonly episodes: Stage<EpisodeChange, never>;
}

export function createSinkStages(options: SinkStagesOptions): SinkStages {
  const { sink } = options;
  const every = options.punctuateEveryMs ?? 250;
  const common = {
    maxBatch: 1000,
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
        await sink.addEvents(records, ctx.clock.now());
        if (options.writeThrough) await sink.flush();
        ctx.count('sink_events', records.length);
      },
    },
    episodes: {
      name: 'sink-episodes',
      ...common,
      async process(records, ctx) {
        await sink.addEpisodeChanges(records, ctx.clock.now());
        if (options.writeThrough) await sink.flush();
        ctx.count('sink_episode_changes', records.length);
      },
    },
  };
}
