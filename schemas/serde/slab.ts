// Where buffers that live about as long as one commit get their bytes (the records a stage encodes, the bodies it
// keeps to pass on): carved one after the other out of shared slabs. Node's own pool for small buffers is 8 KiB, so
// every second 3.5 KiB event cost a new ArrayBuffer (~2 µs, and one more object for each scavenge to track); a
// 256 KiB slab serves ~70. A buffer kept long keeps its whole slab alive: not for what a stage holds in its state.

const SLAB_BYTES = 256 * 1024;

export class Slab {
  private buf = Buffer.allocUnsafeSlow(SLAB_BYTES);
  private at = 0;

  /** The current slab and where its free part starts: write there, then take() what was written. */
  free(): { readonly buf: Buffer; readonly start: number } {
    return { buf: this.buf, start: this.at };
  }

  /** The bytes from the free part's start to `end`, which later buffers will not overlap. */
  take(end: number): Buffer {
    const out = this.buf.subarray(this.at, end);
    this.at = end;
    return out;
  }

  /** A new slab of at least `bytes` (the free part was too small); the buffers taken so far keep the old one. */
  renew(bytes: number): void {
    this.buf = Buffer.allocUnsafeSlow(Math.max(SLAB_BYTES, bytes));
    this.at = 0;
  }

  /** A copy of `src` in the slab. */
  copy(src: Uint8Array): Buffer {
    if (this.buf.length - this.at < src.length) this.renew(src.length);
    this.buf.set(src, this.at);
    return this.take(this.at + src.length);
  }
}
