// DeGirum's adaptive re-identification as a pure state machine per track: for each face post, compute a fresh
// embedding or reuse the last one. A track whose fresh vectors keep agreeing is re-embedded ever more rarely
// (1 → 2 → 4 … frames, capped at reid_expiration_frames); one that changes is watched closely again.
// Frames are counted by FacePost.trackFrames (frames the track was seen in), so misses don't use up the interval.
import type { FacePost } from '../../schemas/records.ts';
import type { EmbedConfig } from './config.ts';

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
 * `reuse(...)`, which returns the vector to reuse. Tracks end silently upstream, so `evictBefore(ts)` drops
 * tracks whose last post is older than `ts` (stream time of the posts).
 */
export class ReidSchedule {
  private readonly states = new Map<string, ReidState>();

  constructor(private readonly cfg: ReidConfig) {}

  private key(post: Pick<FacePost, 'camera' | 'trackId'>): string {
    return `${post.camera}\u0000${post.trackId}`;
  }

  decide(post: ReidPost & Pick<FacePost, 'camera' | 'trackId'>): ReidDecision {
    return decideReid(this.states.get(this.key(post)), post);
  }

  fresh(post: ReidPost & Pick<FacePost, 'camera' | 'trackId'>, vector: Float32Array): void {
    const k = this.key(post);
    this.states.set(k, afterFresh(this.states.get(k), post, vector, this.cfg));
  }

  /** The vector to reuse for `post`; throws if `decide` did not say 'reuse'. */
  reuse(post: ReidPost & Pick<FacePost, 'camera' | 'trackId'>): Float32Array {
    const k = this.key(post);
    const st = this.states.get(k);
    if (st === undefined) throw new Error(`no embedding to reuse for track ${post.trackId}`);
    this.states.set(k, afterReuse(st, post));
    return st.vector;
  }

  /** Drops the state of a track (e.g. after its overall post, which is its last). */
  forget(post: Pick<FacePost, 'camera' | 'trackId'>): void {
    this.states.delete(this.key(post));
  }

  evictBefore(ts: number): number {
    let n = 0;
    for (const [k, st] of this.states) {
      if (st.lastTs < ts) {
        this.states.delete(k);
        n++;
      }
    }
    return n;
  }

  get size(): number {
    return this.states.size;
  }
}
