// Picks frames by their timestamps so the output approximates a requested rate. Time is cut into buckets of
// 1/fps seconds from the first frame and the first frame to land in each bucket is kept: a 15 fps source at
// fps 5 keeps every third frame, and a source slower than `fps` keeps every frame (never more than it has).
export class FpsSampler {
  private origin: number | null = null;
  private lastBucket = -1;

  /** @param fps target rate; 0 keeps every frame */
  constructor(private readonly fps: number) {}

  accept(ptsSeconds: number): boolean {
    if (this.fps <= 0) return true;
    if (this.origin === null) this.origin = ptsSeconds;
    // The epsilon absorbs rounding of pts×timebase, so k/15 s at fps 5 lands in bucket floor(k/3) exactly.
    const bucket = Math.floor((ptsSeconds - this.origin) * this.fps + 1e-6);
    if (bucket < this.lastBucket) {
      // Time went backwards (a live stream's timestamp reset): restart the grid here.
      this.origin = ptsSeconds;
      this.lastBucket = 0;
      return true;
    }
    if (bucket === this.lastBucket) return false;
    this.lastBucket = bucket;
    return true;
  }
}
