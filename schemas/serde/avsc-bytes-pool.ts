// avsc reads every `bytes` field into a slice of its module's pool, whose slabs are 4 KiB made with Buffer.alloc:
// an ArrayBuffer, zero-filled, for about every second 2 KiB vector (5 % of the match process). Here its pool hands
// out slices of 16 KiB slabs (slab.ts), not zero-filled (avsc writes every byte of a slice before handing it out),
// 8-byte aligned so that every vector read is a view (float32View), no copy. A decoded vector that a stage keeps
// (episodes' recent faces) keeps its 16 KiB slab alive, as it kept 4 KiB before.
import { createRequire } from 'node:module';
import { Slab } from './slab.ts';

const SLAB_BYTES = 16 * 1024;
const slab = new Slab(SLAB_BYTES, 8);

const { BufferPool } = createRequire(import.meta.url)('avsc/lib/utils.js') as { BufferPool: { prototype: { alloc(len: number): Buffer } } };

BufferPool.prototype.alloc = function alloc(len: number): Buffer {
  if (len < 0) throw new Error('negative length');
  // a field larger than a slab gets a buffer of its own, and the slab in use stays
  return len > SLAB_BYTES ? Buffer.allocUnsafe(len) : slab.alloc(len);
};
