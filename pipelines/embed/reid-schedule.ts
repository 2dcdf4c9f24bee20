// DeGirum's adaptive re-identification as a pure state machine per track: for each face post, compute a fresh
// embedding or reuse the last one. A track whose fresh vectors keep agreeing is re-embedded ever more rarely
// (1 → 2 → 4 … frames, capped at reid_expiration_frames); one that changes is watched closely again.
// Frames are counted by FacePost.trackFrames (frames the track was seen in), so misses don't use up the interval.
import type { FacePost } from '../../schemas/records.ts';
import type { EmbedConfig } from './config.ts';
import { TrackStates, type TrackKey } from './track-states.ts';

/** A post this much better in quality (FindFace scale) than the embedded one is always embedded afresh. */
export const REID_QUALITY_JUMP = 0.5;

export type ReidConfig = Pick<EmbedConfig, 'reid_expiration_frames' | 'reid_stable_similarity'>;

export interface ReidState {
  /** trackFrames of the post whose vector is current */
  readonly freshAt: number;
  /** frames to wait after `freshAt` before embedding again */
  readonly interval: number;
  readonly vector: Float32Array;
  /** quality of the face the current vector came from */
  readonly quality: number;
  /** frame ts of the last post seen, for eviction of tracks that went quiet */
  readonly lastTs: number;
}

export type ReidDecision = 'fresh' | 'reuse';

export type ReidPost = Pick<FacePost, 'trackFrames' | 'face' | 'frame'>;

export function decideReid(state: ReidState | undefined, post: ReidPost): ReidDecision {
  if (state === undefined) return 'fresh';
  if (post.face.quality >= state.quality + REID_QUALITY_JUMP) return 'fresh';
  return post.trackFrames - state.freshAt >= state.interval ? 'fresh' : 'reuse';
}

function cosine(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return -1;
  let dot = 0;
  for (let i = 0; i < a.length; i++) dot += (a[i] as number) * (b[i] as number);
  return dot;
}

/** State after a fresh vector was computed for `post`: doubles the interval if it agrees with the last one. */
export function afterFresh(state: ReidState | undefined, post: ReidPost, vector: Float32Array, cfg: ReidConfig): ReidState {
  const stable = state !== undefined && cosine(state.vector, vector) >= cfg.reid_stable_similarity;
  const interval = stable ? Math.min(state.interval * 2, cfg.reid_expiration_frames) : 1;
  return { freshAt: post.trackFrames, interval, vector, quality: post.face.quality, lastTs: post.frame.ts };
}

/** State after `post` reused the current vector. */
export function afterReuse(state: ReidState, post: ReidPost): ReidState {
  return { ...state, lastTs: post.frame.ts };
}

/**
 * Keeps one ReidState per track for the embed stage: `decide`, then `fresh(...)` with the computed vector or
 * `reuse(...)`, which returns the vector to reuse. `forget` and `evictBefore` as TrackStates.
 */
export class ReidSchedule extends TrackStates<ReidState> {
  constructor(private readonly cfg: ReidConfig) {
    super();
  }

  decide(post: ReidPost & TrackKey): ReidDecision {
    return decideReid(this.get(post), post);
  }

  fresh(post: ReidPost & TrackKey, vector: Float32Array): void {
    this.set(post, afterFresh(this.get(post), post, vector, this.cfg));
  }

  /** The vector to reuse for `post`; throws if `decide` did not say 'reuse'. */
  reuse(post: ReidPost & TrackKey): Float32Array {
    const st = this.get(post);
    if (st === undefined) throw new Error(`no embedding to reuse for track ${post.trackId}`);
    this.set(post, afterReuse(st, post));
    return st.vector;
  }
}
