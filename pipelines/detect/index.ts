// The detect stage as the registry sees it: name, input and output topics, the factory.
export { createDetectStage, type DetectStageOptions } from './stage.ts';
export { DetectConfig } from './config.ts';

import { TOPICS } from '../../topologies/names.ts';
import { createDetectStage } from './stage.ts';

export const detectStage = {
  name: 'detect',
  input: TOPICS.frames,
  output: TOPICS.detections,
  stores: [],
  /** whether it reads the pixels of its input (else the Kafka runtime passes them through undecoded) */
  readsPixels: true,
  create: createDetectStage,
} as const;
