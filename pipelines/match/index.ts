// The match stage as the registry sees it: name, input and output topics, the factory.
export { createMatchStage, matchEvent, type MatchStage, type MatchStageOptions } from './stage.ts';
export { createFaceIndex, type FaceIndex } from './face-index.ts';
export { createExactFaceIndex, ExactFaceIndex } from './exact-index.ts';
export { HnswFaceIndex } from './hnsw-index.ts';
export { ProjectedFaceIndex } from './projected-index.ts';
export type { IndexedFace } from './face-table.ts';
export { decideGlobal, decideMatch, eventId, type MatchDecision } from './decide.ts';
export { WatchListRules } from './list-rules.ts';
export { watchListFromFaces, type Dossier, type WatchList, type WatchListFace } from './watchlist.ts';
export { MatchConfig, MatchIndexConfig, HnswConfig, ProjectedConfig, EnrolConfig } from './config.ts';

import { TOPICS } from '../../topologies/names.ts';
import { createMatchStage } from './stage.ts';

export const matchStage = {
  name: 'match',
  input: TOPICS.embeddings,
  output: TOPICS.matches,
  stores: [],
  /** whether it reads the pixels of its input (else the Kafka runtime passes them through undecoded) */
  readsPixels: false,
  create: createMatchStage,
} as const;
