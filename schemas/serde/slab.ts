// Where buffers that live about as long as one commit get their bytes (the records a stage encodes, the bodies it
// keeps to pass on, the `bytes` fields avsc reads): carved one after the other out of shared slabs. Node's own pool
// for small buffers is 8 KiB, so every second 3.5 KiB event cost a new ArrayBuffer (~2 µs, and one more object for
// each scavenge to track); a 256 KiB slab serves ~70. A buffer kept long keeps its whole slab alive: not for what a
// stage holds in its state.

export class Slab {
  private buf: Buffer;
  private at = 0;

  /** `align`: where each buffer starts, a multiple of it (8: a float32 vector inside can be read in place) */
  constructor(
    private readonly bytes = 256 * 1024,
    private readonly align = 1,
  ) {
    this.buf = Buffer.allocUnsafeSlow(bytes);
  }

  /** The current slab and where its free part starts: write there, then take() what was written. */
  free(): { readonly buf: Buffer; readonly start: number } {
    return { buf: this.buf, start: this.at };
  }

  /** The bytes from the free part's start to `end`, which later buffers will not overlap. */
  take(end: number): Buffer {
    const out = this.buf.subarray(this.at, end);
    this.at = Math.min(this.buf.length, Math.ceil(end / this.align) * this.align);
    return out;
  }

  /** A new slab of at least `bytes` (the free part was too small); the buffers taken so far keep the old one. */
  renew(bytes: number): void {
    this.buf = Buffer.allocUnsafeSlow(Math.max(this.bytes, bytes));
    this.at = 0;
  }

  /** `length` bytes of the slab, not zero-filled: the caller writes every one. */
  alloc(length: number): Buffer {
    if (this.buf.length - this.at < length) this.renew(length);
    return this.take(this.at + length);
  }

  /** A copy of `src` in the slab. */
  copy(src: Uint8Array): Buffer {
    const out = this.alloc(src.length);
    out.set(src);
    return out;
  }
}
