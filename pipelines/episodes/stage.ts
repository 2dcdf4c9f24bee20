// Episodes stage: face events → episode changes. rules.ts decides; this shell keeps the state of its scope,
// stamps arrivals with the injected wall clock and forwards the changes in the order the rules give them.
import type { EpisodeChange, FaceEvent } from '../../schemas/records.ts';
import type { Stage, StageContext, StageState } from '../runtime/stage.ts';
import type { EpisodesConfig } from './config.ts';
import { createPairScores, type PairScores } from '../match/gemm-scores.ts';
import { batchSimilarity } from './batch-similarity.ts';
import { closeAll, closeWhere, dueByWall, emptyEpisodes, onEvents, type EpisodesState, type EpisodesStep } from './rules.ts';
import { createEventDedup, withDuplicateOf, type DedupGroups, type SavedDedup } from '../dedup/index.ts';

export interface EpisodesStage extends Stage<FaceEvent, EpisodeChange> {
  /** Live episodes right now (for metrics and tests). */
  liveEpisodes(): number;
}

export interface EpisodesStageOptions {
  readonly config: EpisodesConfig;
  /** events of one scope may share episodes; one scope for now */
  readonly scope?: string;
  readonly name?: string;
  /** cameras whose camera group deduplicates events (pipelines/dedup); absent = none does */
  readonly dedupGroups?: DedupGroups;
}

/** Name of the state this stage keeps (live episodes and recent events), stable across versions. */
export const EPISODES_STATE_STORE = 'episodes-state';

export function createEpisodesStage(options: EpisodesStageOptions): EpisodesStage {
  const cfg = options.config;
  const scope = options.scope ?? 'default';
  let state: EpisodesState = emptyEpisodes;
  /** cameras whose input has ended (Kafka end-of-stream markers); a camera that sends again is live again */
  const ended = new Set<string>();
  // a group's events meet here, so its deduplication runs here too (pipelines/dedup/hook.ts)
  const dedup = options.dedupGroups ? createEventDedup({ groups: options.dedupGroups, threshold: cfg.episodes_threshold }) : undefined;

  /** the scope's state changed since it was last taken */
  let dirty = false;

  const saved: StageState = {
    takeChanges() {
      if (!dirty) return [];
      dirty = false;
      return [[scope, { state, ended: [...ended], dedup: dedup?.save() }]];
    },
    restore(entries) {
      const mine = entries.find(([key]) => key === scope)?.[1] as { state: EpisodesState; ended: string[]; dedup?: SavedDedup } | undefined;
      state = mine?.state ?? emptyEpisodes;
      ended.clear();
      mine?.ended.forEach((c) => ended.add(c));
      dedup?.restore(mine?.dedup);
      dirty = false;
    },
  };

  async function apply(step: EpisodesStep, ctx: StageContext<EpisodeChange>): Promise<void> {
    if (step.state !== state) dirty = true;
    state = step.state;
    for (const change of step.changes) {
      if (change.kind !== 'event') ctx.count(`episodes_${change.kind === 'open' ? 'opened' : 'closed'}`);
      await ctx.forward(change);
    }
  }

  /** the matrix engines of batchSimilarity by vector dimension, started on the first batch large enough to need one */
  const engines = new Map<number, Promise<PairScores>>();
  const pairs = (dim: number): Promise<PairScores> => {
    let engine = engines.get(dim);
    if (!engine) engines.set(dim, (engine = createPairScores(dim)));
    return engine;
  };

  return {
    name: options.name ?? 'episodes',
    // the events of a batch are scored against the recent ones in one matrix product (batch-similarity.ts)
    maxBatch: 256,
    punctuateEveryMs: 1000,
    state: saved,
    async process(records: readonly FaceEvent[], ctx: StageContext<EpisodeChange>): Promise<void> {
      const similarity = await batchSimilarity(pairs, state.recent, records);
      const step = onEvents(state, records, () => ctx.clock.now(), cfg, scope, similarity);
      for (let i = 0; i < records.length; i++) {
        const event = records[i]!;
        if (ended.delete(event.embedding.post.camera)) dirty = true;
        const duplicateOf = dedup?.mark(event) ?? null;
        await apply({ state: step.state, changes: withDuplicateOf(step.changes[i] ?? [], event.id, duplicateOf) }, ctx);
      }
    },
    async punctuate(now: number, ctx: StageContext<EpisodeChange>): Promise<void> {
      const step = closeWhere(state, (ep) => dueByWall(ep, now, cfg));
      // nothing due: keep the state object, so nothing is saved
      if (step.changes.length > 0) await apply(step, ctx);
    },
    async flush(ctx: StageContext<EpisodeChange>): Promise<void> {
      await apply(closeAll(state), ctx);
    },
    async endOfStream(camera: string, ctx: StageContext<EpisodeChange>): Promise<void> {
      // an episode spans cameras: it ends with the input of the last of them
      ended.add(camera);
      dirty = true;
      await apply(closeWhere(state, (ep) => ep.cameras.every((c) => ended.has(c))), ctx);
    },
    async close(): Promise<void> {
      const started = [...engines.values()];
      engines.clear();
      for (const engine of started) await (await engine).close();
    },
    liveEpisodes(): number {
      return state.live.length;
    },
  };
}
