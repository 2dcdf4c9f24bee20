// The counters stage as the registry sees it, and the sink that writes its records to ClickHouse.
export { countFrame, facesInRoi, slotStart, type CounterCamera, type CounterSlots, type CountStep } from './count.ts';
export { countersByCamera, fixedCounterDefinitions, followCounterDefinitions, type CounterDefinitions, type FollowedCounterDefinitions } from './definitions.ts';
export { createCountersStage, COUNTERS_STATE_STORE, type CountersStageOptions } from './stage.ts';
export { createCounterSinkStage } from './sink.ts';
export { CountersConfig } from './config.ts';
// openCounterDefinitions (./open.ts) is imported by the processes that run the stage only: it loads the PostgreSQL client

import { TOPICS } from '../../topologies/names.ts';
import { createCounterSinkStage } from './sink.ts';
import { createCountersStage, COUNTERS_STATE_STORE } from './stage.ts';

export const countersStage = {
  name: 'counters',
  input: TOPICS.detections,
  output: TOPICS.counters,
  stores: [COUNTERS_STATE_STORE],
  /** counts boxes only: over Kafka the detections' pixels pass through undecoded */
  readsPixels: false,
  create: createCountersStage,
} as const;

export const sinkCountersStage = {
  name: 'sink-counters',
  input: TOPICS.counters,
  output: null,
  stores: [],
  readsPixels: false,
  create: createCounterSinkStage,
} as const;
