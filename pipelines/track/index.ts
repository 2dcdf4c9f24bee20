// The track stage as the registry sees it: name, input and output topics, the state it keeps, the factory.
export { createTrackStage, TRACK_STATE_STORE, type TrackStage, type TrackStageOptions, type TrackStats } from './stage.ts';
export { createIouAppearanceTracker, IouAppearanceTracker } from './iou-appearance-tracker.ts';
export type { Tracker, TrackInfo, TrackObservation, TrackerStep } from './tracker.ts';
export { TrackConfig, BestShotConfig } from './config.ts';

import { TOPICS } from '../../topologies/names.ts';
import { createTrackStage, TRACK_STATE_STORE } from './stage.ts';

export const trackStage = {
  name: 'track',
  input: TOPICS.detections,
  output: TOPICS.faces,
  stores: [TRACK_STATE_STORE],
  /** whether it reads the pixels of its input (else the Kafka runtime passes them through undecoded) */
  readsPixels: true,
  create: createTrackStage,
} as const;
