// The notify stages: `notify-events` (topic matches), `notify-episodes` (topic episodes) and `notify-counters`
// (topic counters), one per input because a stage has one input, sharing one Notifier (its webhooks, dispatchers
// and MQTT connection). `process` only filters and queues, so a slow receiver never holds up the pipeline or the
// stage's Kafka offsets: delivery is at most once beyond the queue (a killed process loses what waited, like
// FindFace's webhook workers); every event and episode is in ClickHouse regardless.
import type { CounterRecord } from '../../schemas/generated/avro-types.ts';
import type { EpisodeChange, FaceEvent } from '../../schemas/records.ts';
import type { Stage, StageContext } from '../runtime/stage.ts';
import type { Logger } from 'pino';
import type { Notifier } from './notifier.ts';

/** How the stages reach their Notifier: opened by the first stage that starts, closed after the last one stops. */
export interface NotifierHandle {
  acquire(logger: Logger): Promise<Notifier>;
  release(): Promise<void>;
}

/** A handle that opens the Notifier with `open` on first use and closes it (`close`) when every user released it. */
export function sharedNotifier(open: (logger: Logger) => Promise<{ readonly notifier: Notifier; close(): Promise<void> }>): NotifierHandle {
  let users = 0;
  let opening: ReturnType<typeof open> | undefined;
  return {
    async acquire(logger) {
      users++;
      opening ??= open(logger);
      return (await opening).notifier;
    },
    async release() {
      if (--users > 0 || !opening) return;
      const opened = opening;
      opening = undefined;
      await (await opened).close();
    },
  };
}

/** how long `flush` (end of input) waits for webhooks still being retried */
const FLUSH_WAIT_MS = 30_000;

function notifyStage<In>(name: string, handle: NotifierHandle, offer: (n: Notifier, records: readonly In[]) => void, camerasOf: (records: readonly In[]) => Iterable<string>): Stage<In, never> {
  let notifier: Notifier | undefined;
  const started = (): Notifier => {
    if (!notifier) throw new Error(`${name}: process() before init()`);
    return notifier;
  };
  return {
    name,
    maxBatch: 500,
    async init(ctx: StageContext<never>) {
      notifier = await handle.acquire(ctx.logger);
      notifier.countWith((what, n) => ctx.count(what, n));
    },
    async process(records, ctx) {
      const n = started();
      await n.knowCameras(camerasOf(records));
      offer(n, records);
      ctx.count(`${name.replace('-', '_')}_offered`, records.length);
    },
    async flush(ctx) {
      if (notifier && !(await notifier.drain(FLUSH_WAIT_MS))) ctx.logger.warn('notify: webhooks still being retried at the end of input; they go on until the process stops');
    },
    async close() {
      if (!notifier) return;
      notifier = undefined;
      await handle.release();
    },
  };
}

export const createNotifyEventsStage = (handle: NotifierHandle): Stage<FaceEvent, never> =>
  notifyStage('notify-events', handle, (n, r) => n.offerEvents(r), (r) => r.map((e) => e.embedding.post.camera));
export const createNotifyEpisodesStage = (handle: NotifierHandle): Stage<EpisodeChange, never> =>
  notifyStage('notify-episodes', handle, (n, r) => n.offerEpisodes(r), (r) => r.flatMap((c) => c.cameras));
export const createNotifyCountersStage = (handle: NotifierHandle): Stage<CounterRecord, never> =>
  notifyStage('notify-counters', handle, (n, r) => n.offerCounters(r), (r) => r.map((c) => c.camera));
