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
  create: createDetectStage,
} as const;
