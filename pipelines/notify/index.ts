// The notify stages as the registry sees them: one per input topic (a stage has one input), all sharing the
// process's Notifier through a NotifierHandle (pipelines/notify/stage.ts). No output topic, no Kafka state.
import type { ClickHouseClient } from '@clickhouse/client';
import type { FacestreamConfig } from '../../config/schema.ts';
import type { Queryable } from '../../stores/postgres/db.ts';
import { TOPICS, type Topic } from '../../topologies/names.ts';
import { createNotifyCountersStage, createNotifyEpisodesStage, createNotifyEventsStage, sharedNotifier, type NotifierHandle } from './stage.ts';

export { Notifier } from './notifier.ts';
export { NotifyConfig } from './config.ts';
export { sharedNotifier, type NotifierHandle } from './stage.ts';

/**
 * The handle the notify stages of one process share: the Notifier opens when the first of them starts, on the
 * stores this process already has (`facestream serve`: its PGlite and chdb) or else on the configured servers.
 * open.ts loads only then: it brings the store clients.
 */
export function notifierFor(o: { readonly config: Readonly<FacestreamConfig>; readonly db?: Queryable; readonly clickhouse?: ClickHouseClient }): NotifierHandle {
  return sharedNotifier(async (logger) => (await import('./open.ts')).openNotifier({ ...o, logger }));
}

/** a notify stage's descriptor: no output topic, no Kafka state */
const notifyDescriptor = <const N extends string, const T extends Topic, S>(name: N, input: T, create: (handle: NotifierHandle) => S) =>
  ({ name, input, output: null, stores: [] as const, readsPixels: false as const, create });

export const notifyEventsStage = notifyDescriptor('notify-events', TOPICS.matches, createNotifyEventsStage);
export const notifyEpisodesStage = notifyDescriptor('notify-episodes', TOPICS.episodes, createNotifyEpisodesStage);
export const notifyCountersStage = notifyDescriptor('notify-counters', TOPICS.counters, createNotifyCountersStage);

/** the notify stages; a process runs any of them with one NotifierHandle (StageDeps.notifier) */
export const NOTIFY_STAGES = [notifyEventsStage.name, notifyEpisodesStage.name, notifyCountersStage.name] as const;
