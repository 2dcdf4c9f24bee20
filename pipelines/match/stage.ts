// Match stage: embeddings → face events. The index searches, decide.ts decides under the thresholds of the watch
// lists (list-rules.ts), of the camera and its group (the camera settings view) and the global one (alert.ts: whether
// the event is an alert under its camera's alert mode); this shell only builds the record. The index can be swapped
// while running (watch lists edited) without restarting the stage.
import type { FaceEmbedding, FaceEvent } from '../../schemas/records.ts';
import type { WatchListRule } from '../../schemas/generated/avro-types.ts';
import type { Stage, StageContext } from '../runtime/stage.ts';
import type { CameraSettingsView } from '../cameras/settings-view.ts';
import { isAlert, type AlertMode } from './alert.ts';
import type { MatchConfig } from './config.ts';
import { decideMatch, eventId, openRule, UNKNOWN_CAMERA, type CameraMatching, type RuledCandidate } from './decide.ts';
import type { FaceIndex, FoundCandidate } from './face-index.ts';
import type { WatchListRules } from './list-rules.ts';

export interface MatchStage extends Stage<FaceEmbedding, FaceEvent> {
  /** Replaces the index used for the next records. */
  setIndex(index: FaceIndex): void;
}

export interface MatchStageOptions {
  readonly config: MatchConfig;
  readonly index: FaceIndex;
  readonly name?: string;
  /** per-camera alert modes, thresholds and groups, read per record; default: match.alert_mode and the global threshold */
  readonly settings?: Pick<CameraSettingsView, 'get' | 'matching'>;
  /** each indexed face's watch lists and their rules; default: a candidate's watchList alone, without a rule */
  readonly rules?: Pick<WatchListRules, 'of'>;
}

/** The event of one embedding, given its candidates (best first) with their lists' rules, and its camera. */
export function matchEvent(embedding: FaceEmbedding, found: readonly RuledCandidate[], cfg: MatchConfig, camera: CameraMatching = UNKNOWN_CAMERA, alertMode: AlertMode = cfg.alert_mode): FaceEvent {
  const post = embedding.post;
  const { candidates, decision } = decideMatch(found, camera, cfg.confidence_threshold);
  return { id: eventId(post.camera, post.trackId, post.postNo), embedding, candidates, ...decision, alert: isAlert(alertMode, decision.matched) };
}

export function createMatchStage(options: MatchStageOptions): MatchStage {
  let index = options.index;
  /** the index a batch is searching right now: a replaced index is closed only once its batch is done */
  let busy: FaceIndex | undefined;
  /** a list without rules: one rule list per watch list, kept (it is the same for every candidate of the list) */
  const openRules = new Map<string, readonly WatchListRule[]>();
  const openRulesOf = (list: string) => openRules.get(list) ?? openRules.set(list, [openRule(list)]).get(list)!;
  const rulesOf = (candidate: FoundCandidate) => options.rules?.of(candidate) ?? openRulesOf(candidate.watchList);
  return {
    name: options.name ?? 'match',
    // one matrix product per batch (FaceIndex.searchMany): larger batches share its fixed cost
    maxBatch: 256,
    async process(records: readonly FaceEmbedding[], ctx: StageContext<FaceEvent>): Promise<void> {
      const current = (busy = index);
      let found: FoundCandidate[][];
      try {
        found = await current.searchMany(
          records.map((e) => e.vector),
          options.config.max_candidates,
        );
      } finally {
        busy = undefined;
        if (current !== index) await current.close();
      }
      // counted once per batch: a counter's labels are hashed on every call
      let matched = 0;
      let alerts = 0;
      for (let i = 0; i < records.length; i++) {
        const embedding = records[i]!;
        const camera = embedding.post.camera;
        const ruled = found[i]!.map((candidate) => ({ candidate, rules: rulesOf(candidate) }));
        const event = matchEvent(embedding, ruled, options.config, options.settings?.matching(camera), options.settings?.get(camera).alertMode);
        if (event.matched) matched++;
        if (event.alert) alerts++;
        await ctx.forward(event);
      }
      if (matched > 0) ctx.count('events_matched', matched);
      if (records.length > matched) ctx.count('events_unmatched', records.length - matched);
      if (alerts > 0) ctx.count('events_alert', alerts);
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
