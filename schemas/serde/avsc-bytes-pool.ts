// avsc reads every `bytes` field into a slice of its module's pool, whose slabs are 4 KiB made with Buffer.alloc:
// an ArrayBuffer, zero-filled, for about every second 2 KiB vector (5 % of the match process). The same pool here
// with 16 KiB slabs not zero-filled (avsc writes every byte of a slice before handing it out). A decoded vector that
// a stage keeps (episodes' recent faces) keeps its 16 KiB slab alive, as it kept 4 KiB before.
import { createRequire } from 'node:module';

const SLAB_BYTES = 16 * 1024;

interface BufferPool {
  _len: number;
  _pos: number;
  _slab: Buffer;
  alloc(len: number): Buffer;
}

const { BufferPool } = createRequire(import.meta.url)('avsc/lib/utils.js') as { BufferPool: { prototype: BufferPool } };

BufferPool.prototype.alloc = function alloc(this: BufferPool, len: number): Buffer {
  if (len < 0) throw new Error('negative length');
  if (len > SLAB_BYTES) return Buffer.allocUnsafe(len);
  if (this._pos + len > this._slab.length || this._slab.length < SLAB_BYTES) {
    this._slab = Buffer.allocUnsafeSlow(SLAB_BYTES);
    this._pos = 0;
  }
  const out = this._slab.subarray(this._pos, this._pos + len);
  this._pos = (this._pos + len + 7) & ~7; // 8-byte aligned: a vector read from it is a view (float32View), no copy
  return out;
};
