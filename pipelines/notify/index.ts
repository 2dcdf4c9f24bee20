// The notify stages as the registry sees them: one per input topic (a stage has one input), all sharing the
// process's Notifier through a NotifierHandle (pipelines/notify/stage.ts). No output topic, no Kafka state.
import type { ClickHouseClient } from '@clickhouse/client';
import type { FacestreamConfig } from '../../config/schema.ts';
import type { Queryable } from '../../stores/postgres/db.ts';
import { TOPICS } from '../../topologies/names.ts';
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

export const notifyEventsStage = {
  name: 'notify-events',
  input: TOPICS.matches,
  output: null,
  stores: [],
  readsPixels: false,
  create: (handle: NotifierHandle) => createNotifyEventsStage(handle),
} as const;

export const notifyEpisodesStage = {
  name: 'notify-episodes',
  input: TOPICS.episodes,
  output: null,
  stores: [],
  readsPixels: false,
  create: (handle: NotifierHandle) => createNotifyEpisodesStage(handle),
} as const;

export const notifyCountersStage = {
  name: 'notify-counters',
  input: TOPICS.counters,
  output: null,
  stores: [],
  readsPixels: false,
  create: (handle: NotifierHandle) => createNotifyCountersStage(handle),
} as const;

/** the notify stages; a process runs any of them with one NotifierHandle (StageDeps.notifier) */
export const NOTIFY_STAGES = [notifyEventsStage.name, notifyEpisodesStage.name, notifyCountersStage.name] as const;
