// The embed stage as the registry sees it: name, input and output topics, the state it keeps, the factory.
export { createEmbedStage, type EmbedStageOptions } from './stage.ts';
export { ReidSchedule, decideReid } from './reid-schedule.ts';
export { EmbedConfig, AttributesConfig } from './config.ts';

import { TOPICS } from '../../topologies/names.ts';
import { createEmbedStage } from './stage.ts';

export const embedStage = {
  name: 'embed',
  input: TOPICS.faces,
  output: TOPICS.embeddings,
  stores: ['reid-state'],
  /** whether it reads the pixels of its input (else the Kafka runtime passes them through undecoded) */
  readsPixels: true,
  create: createEmbedStage,
} as const;
