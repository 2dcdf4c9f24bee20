// Configuration of this stage: TypeBox schema with FindFace's names and defaults; the type is derived from it.
import { Type, type Static } from '@sinclair/typebox';

const strict = { additionalProperties: false } as const;

export const EpisodesConfig = Type.Object(
  {
    episode_search_interval: Type.Number({ default: 60, minimum: 0, description: 's: how far back to look for similar events' }),
    episodes_threshold: Type.Number({
      minimum: -1,
      maximum: 1,
      description: "FindFace EPISODES_THRESHOLD: similarity at or above which an event joins an episode; default: the embedder's `thresholds.episode` in the model manifest",
    }),
    episode_max_duration: Type.Number({ default: 300, exclusiveMinimum: 0, description: 's: an episode closes after this long' }),
    episode_event_timeout: Type.Number({ default: 30, exclusiveMinimum: 0, description: 's: an episode closes when no event joins it for this long' }),
    recent_similar_faces: Type.Integer({ default: 100, minimum: 1, description: 'most recent similar events considered when choosing the episode' }),
    dedup_refresh_interval_ms: Type.Integer({
      default: 10_000,
      minimum: 0,
      description: "the episodes stage, which also deduplicates events per camera group (docs/DEDUP.md), re-reads the camera groups' deduplicate and deduplicate_delay from PostgreSQL this often; 0 = only at start",
    }),
    join_same_track: Type.Boolean({ default: true, description: 'a later post of a track already in a live episode joins that episode whatever its similarity (a turned head stays in the episode)' }),
  },
  strict,
);
export type EpisodesConfig = Static<typeof EpisodesConfig>;
