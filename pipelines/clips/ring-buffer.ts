// The last seconds of one camera's compressed packets, kept so that a clip can start before the moment it is asked
// for (pre-roll). It always starts at a keyframe, because a decoder can start nowhere else, and it holds at most
// `maxBytes`: whole GOPs leave from the front. Pure: no FFmpeg, no clock; times are the packets' own.

export interface RingPacket {
  /** presentation time, seconds, in the stream's own clock */
  readonly t: number;
  readonly keyframe: boolean;
  readonly bytes: number;
}

export class PacketRing<P extends RingPacket> {
  private items: P[] = [];
  private head = 0;
  private size = 0;
  /** the latest time seen (packets come in decode order, so times are not monotonic with B-frames) */
  private newest = Number.NEGATIVE_INFINITY;

  /**
   * @param seconds how much it keeps behind the newest packet (it may keep up to a GOP more: it starts at a keyframe)
   * @param maxBytes the most it holds; a single GOP larger than this empties it until the next keyframe
   */
  constructor(
    private readonly seconds: number,
    private readonly maxBytes: number,
  ) {}

  get bytes(): number {
    return this.size;
  }

  get length(): number {
    return this.items.length - this.head;
  }

  /** Time of the first packet kept; null when empty. */
  get start(): number | null {
    return this.length > 0 ? this.items[this.head]!.t : null;
  }

  push(p: P): void {
    // a packet that does not follow a keyframe cannot be decoded from here
    if (this.length === 0 && !p.keyframe) return;
    this.items.push(p);
    this.size += p.bytes;
    this.newest = Math.max(this.newest, p.t);
    this.trim();
  }

  /** The packets from the last keyframe at or before `t` (else from the first one kept) to the newest. */
  from(t: number): P[] {
    let start = this.head;
    for (let i = this.head; i < this.items.length; i++) {
      const p = this.items[i]!;
      if (!p.keyframe) continue;
      if (p.t > t) break;
      start = i;
    }
    return this.items.slice(start);
  }

  clear(): void {
    this.items = [];
    this.head = 0;
    this.size = 0;
    this.newest = Number.NEGATIVE_INFINITY;
  }

  private trim(): void {
    const horizon = this.newest - this.seconds;
    // drop whole GOPs while the next one still starts at or before the horizon (what is kept covers `seconds`)
    for (let next = this.nextKeyframe(); next !== null && this.items[next]!.t <= horizon; next = this.nextKeyframe()) this.dropTo(next);
    while (this.size > this.maxBytes) {
      const next = this.nextKeyframe();
      if (next === null) {
        this.clear();
        return;
      }
      this.dropTo(next);
    }
    // the array is compacted once the dropped front outgrows what is kept, so pushes stay O(1) amortised
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }

  /** Index of the first keyframe after the head; null when the head's GOP is the last. */
  private nextKeyframe(): number | null {
    for (let i = this.head + 1; i < this.items.length; i++) if (this.items[i]!.keyframe) return i;
    return null;
  }

  private dropTo(index: number): void {
    for (let i = this.head; i < index; i++) this.size -= this.items[i]!.bytes;
    this.head = index;
  }
}
