// State kept per live track by the embed stage (the re-identification schedule, a track's attributes). Tracks end
// silently upstream, so states are dropped by the stream time of their last post (`evictBefore`), or at once after
// a track's overall post, which is its last (`forget`).
import type { FacePost } from '../../schemas/records.ts';

export type TrackKey = Pick<FacePost, 'camera' | 'trackId'>;

export class TrackStates<S extends { readonly lastTs: number }> {
  private readonly states = new Map<string, S>();

  private key(post: TrackKey): string {
    return `${post.camera}\u0000${post.trackId}`;
  }

  get(post: TrackKey): S | undefined {
    return this.states.get(this.key(post));
  }

  set(post: TrackKey, state: S): void {
    this.states.set(this.key(post), state);
  }

  forget(post: TrackKey): void {
    this.states.delete(this.key(post));
  }

  /** Drops the states whose last post is older than `ts`; returns how many. */
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
