// The notify stages as the registry sees them: one per input topic (a stage has one input), all sharing the
// process's Notifier through a NotifierHandle (pipelines/notify/stage.ts). No output topic, no Kafka state.
import { TOPICS } from '../../topologies/names.ts';
import { createNotifyEpisodesStage, createNotifyEventsStage, type NotifierHandle } from './stage.ts';

export { Notifier } from './notifier.ts';
export { NotifyConfig } from './config.ts';
export { sharedNotifier, type NotifierHandle } from './stage.ts';
// openNotifier (./open.ts) is imported by the processes that run these stages only: it loads the store clients

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
