// Decoded frames recycled within one process. A 720p frame is 2.7 MB of shared memory; allocating one per frame
// cost more CPU than converting it (fresh pages are zeroed and faulted in: ~1.7 ms a frame against ~0.4 ms for
// FFmpeg's YUV→RGB), and the dropped buffers made V8 collect far more often than the rest of the work needed.
//
// Ingest takes its frames' pixels from a pool and registers them as one lease per frame (the frame and the
// detector-size image). The last stage in the process that reads a frame's pixels — the track stage, which
// copies what it keeps (post crops) — hands the frame back with releaseFrame(), and the next frame reuses the
// memory. A frame nobody hands back (it went to Kafka, a stage dead-lettered it, a test kept it) is simply
// collected by the GC like any other: releasing is an optimisation, never a requirement. Releasing an image that
// was not leased (decoded from Kafka, made by a test) does nothing.
import type { RgbImage } from '../../../schemas/records.ts';
import { newSharedPixels } from '../../../models/worker/shared-image.ts';

/** Shared pixel buffers of one size, reused. */
export class PixelPool {
  private readonly free = new Map<number, Uint8Array[]>();

  /** @param keep buffers kept per size at most (what is in flight between decoder and tracker, plus some) */
  constructor(private readonly keep = 48) {}

  /** `bytes` of shared memory: a recycled buffer when one is free (its old contents remain), else a new one. */
  take(bytes: number): Uint8Array {
    return this.free.get(bytes)?.pop() ?? newSharedPixels(bytes);
  }

  give(data: Uint8Array): void {
    let list = this.free.get(data.byteLength);
    if (!list) {
      list = [];
      this.free.set(data.byteLength, list);
    }
    if (list.length < this.keep) list.push(data);
  }

  /** buffers waiting to be reused, for tests */
  get idle(): number {
    let n = 0;
    for (const l of this.free.values()) n += l.length;
    return n;
  }
}

interface Lease {
  readonly pool: PixelPool;
  readonly buffers: readonly Uint8Array[];
}

// Keyed by the frame's pixel array: a released frame's entry goes, and the array's next use registers anew.
const leases = new WeakMap<Uint8Array, Lease>();

/** Marks `frame`'s pixels (and `others`, e.g. its detector-size image) as the pool's, to come back on releaseFrame. */
export function leaseFrame(pool: PixelPool, frame: RgbImage, ...others: RgbImage[]): void {
  leases.set(frame.data, { pool, buffers: [frame.data, ...others.map((o) => o.data)] });
}

/**
 * The process is done with `frame`'s pixels: nothing may read them after this call (they will hold another
 * frame). A frame not leased, or already released, is left alone.
 */
export function releaseFrame(frame: RgbImage): void {
  const lease = leases.get(frame.data);
  if (!lease) return;
  leases.delete(frame.data);
  for (const b of lease.buffers) lease.pool.give(b);
}

/** Whether `frame`'s pixels are leased from a pool (and so must be copied by anyone keeping them). */
export function isLeased(frame: RgbImage): boolean {
  return leases.has(frame.data);
}
