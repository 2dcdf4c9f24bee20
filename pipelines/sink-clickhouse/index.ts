// The analytics sink stages as the registry sees them: `sink-events` reads matches, `sink-episodes` reads
// episodes; neither has an output topic nor Kafka state (what is pending lives in the shared AnalyticsSink, and
// over Kafka nothing is pending when `process` returns: write-through).
export { createSinkStages, StoreWriteError, type SinkStages, type SinkStagesOptions } from './stage.ts';
// openAnalytics (./open.ts) is imported by the processes that run these stages only: it loads the store clients

import { TOPICS } from '../../topologies/names.ts';
import { createSinkStages, type SinkStagesOptions } from './stage.ts';

export const sinkEventsStage = {
  name: 'sink-events',
  input: TOPICS.matches,
  output: null,
  stores: [],
  readsPixels: false,
  create: (options: SinkStagesOptions) => createSinkStages(options).events,
} as const;

export const sinkEpisodesStage = {
  name: 'sink-episodes',
  input: TOPICS.episodes,
  output: null,
  stores: [],
  readsPixels: false,
  create: (options: SinkStagesOptions) => createSinkStages(options).episodes,
} as const;

/** the stages that write to the analytics store; a process running any of them opens it (openAnalytics) */
export const ANALYTICS_SINK_STAGES = [sinkEventsStage.name, sinkEpisodesStage.name] as const;
