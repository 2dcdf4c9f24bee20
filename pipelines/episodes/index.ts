// The episodes stage as the registry sees it: name, input and output topics, the state it keeps, the factory.
export { createEpisodesStage, EPISODES_STATE_STORE, type EpisodesStage, type EpisodesStageOptions } from './stage.ts';
export {
  chooseEpisode,
  closeAll,
  closeWhere,
  dueByStream,
  dueByWall,
  emptyEpisodes,
  onEvent,
  onEvents,
  toChange,
  type EpisodesState,
  type EpisodesStep,
  type LiveEpisode,
  type RecentEvent,
} from './rules.ts';
export { EpisodesConfig } from './config.ts';

import { TOPICS } from '../../topologies/names.ts';
import { createEpisodesStage, EPISODES_STATE_STORE } from './stage.ts';

export const episodesStage = {
  name: 'episodes',
  input: TOPICS.matches,
  output: TOPICS.episodes,
  stores: [EPISODES_STATE_STORE],
  /** whether it reads the pixels of its input (else the Kafka runtime passes them through undecoded) */
  readsPixels: false,
  create: createEpisodesStage,
} as const;
