// Match stage: embeddings → face events. The index searches, decide.ts decides (alert.ts: whether the event is an
// alert under its camera's alert mode); this shell only builds the record. The index can be swapped while running
// (watch lists edited) without restarting the stage.
import type { FaceEmbedding, FaceEvent, MatchCandidate } from '../../schemas/records.ts';
import type { Stage, StageContext } from '../runtime/stage.ts';
import type { CameraSettingsView } from '../cameras/settings-view.ts';
import { isAlert, type AlertMode } from './alert.ts';
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
  /** per-camera alert modes, read per record; default: match.alert_mode */
  readonly settings?: Pick<CameraSettingsView, 'get'>;
}

/** The event of one embedding, given its candidates (best first) from the index and its camera's alert mode. */
export function matchEvent(embedding: FaceEmbedding, candidates: MatchCandidate[], cfg: MatchConfig, alertMode: AlertMode = cfg.alert_mode): FaceEvent {
  const post = embedding.post;
  const decision = decideMatch(candidates, cfg.confidence_threshold);
  return { id: eventId(post.camera, post.trackId, post.postNo), embedding, candidates, ...decision, alert: isAlert(alertMode, decision.matched) };
}

export function createMatchStage(options: MatchStageOptions): MatchStage {
  let index = options.index;
  /** the index a batch is searching right now: a replaced index is closed only once its batch is done */
  let busy: FaceIndex | undefined;
  return {
    name: options.name ?? 'match',
    // one matrix product per batch (FaceIndex.searchMany): larger batches share its fixed cost
    maxBatch: 256,
    async process(records: readonly FaceEmbedding[], ctx: StageContext<FaceEvent>): Promise<void> {
      const current = (busy = index);
      let found: MatchCandidate[][];
      try {
        found = await current.searchMany(
          records.map((e) => e.vector),
          options.config.max_candidates,
        );
      } finally {
        busy = undefined;
        if (current !== index) await current.close();
      }
      for (const [i, embedding] of records.entries()) {
        const event = matchEvent(embedding, found[i]!, options.config, options.settings?.get(embedding.post.camera).alertMode);
        ctx.count(event.matched ? 'events_matched' : 'events_unmatched');
        if (event.alert) ctx.count('events_alert');
        await ctx.forward(event);
      }
    },
    async close(): Promise<void> {
      await index.close();
    },
    setIndex(next: FaceIndex): void {
      const previous = index;
      index = next;
      if (previous !== busy) void previous.close();
    },
  };
}
