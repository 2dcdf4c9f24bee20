// Match stage: embeddings → face events. The index searches, decide.ts decides; this shell only builds the
// record. The index can be swapped while running (watch lists edited) without restarting the stage.
import type { FaceEmbedding, FaceEvent } from '../../schemas/records.ts';
import type { Stage, StageContext } from '../runtime/stage.ts';
import type { MatchConfig } from './config.ts';
import { decideMatch, eventId } from './decide.ts';
import type { FaceIndex } from './face-index.ts';

export interface MatchStage extends Stage<FaceEmbedding, FaceEvent> {
  /** Replaces the index used for the next records. */
  setIndex(index: FaceIndex): void;
}

export interface MatchStageOptions {
  readonly config: MatchConfig;
  readonly index: FaceIndex;
  readonly name?: string;
}

export function matchEvent(embedding: FaceEmbedding, index: FaceIndex, cfg: MatchConfig): FaceEvent {
  const post = embedding.post;
  const candidates = index.search(embedding.vector, cfg.max_candidates);
  return { id: eventId(post.camera, post.trackId, post.postNo), embedding, candidates, ...decideMatch(candidates, cfg.confidence_threshold) };
}

export function createMatchStage(options: MatchStageOptions): MatchStage {
  let index = options.index;
  return {
    name: options.name ?? 'match',
    maxBatch: 32,
    async process(records: readonly FaceEmbedding[], ctx: StageContext<FaceEvent>): Promise<void> {
      for (const embedding of records) {
        const event = matchEvent(embedding, index, options.config);
        ctx.count(event.matched ? 'events_matched' : 'events_unmatched');
        await ctx.forward(event);
      }
    },
    setIndex(next: FaceIndex): void {
      index = next;
    },
  };
}
