import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import './avsc-bytes-pool.ts';

describe("avsc's bytes pool, 16 KiB slabs", () => {
  const type = avro.Type.forSchema({ type: 'record', name: 'R', fields: [{ name: 'tag', type: 'bytes' }, { name: 'vector', type: 'bytes' }] });

  it('gives every decoded bytes field its own bytes, 8-byte aligned, across slabs', () => {
    const decoded = Array.from({ length: 40 }, (_, i) => type.fromBuffer(type.toBuffer({ tag: Buffer.alloc(3, i), vector: Buffer.alloc(2048, i) })) as { tag: Buffer; vector: Buffer });
    decoded.forEach((r, i) => {
      expect(r.tag.equals(Buffer.alloc(3, i))).toBe(true);
      expect(r.vector.equals(Buffer.alloc(2048, i))).toBe(true);
      expect(r.vector.byteOffset % 8).toBe(0);
    });
    expect(new Set(decoded.map((r) => r.vector.buffer)).size).toBeGreaterThan(1);
  });

  it('reads a field larger than a slab into a buffer of its own', () => {
    const big = type.fromBuffer(type.toBuffer({ tag: Buffer.alloc(0), vector: Buffer.alloc(40_000, 9) })) as { vector: Buffer };
    expect(big.vector.equals(Buffer.alloc(40_000, 9))).toBe(true);
  });
});
