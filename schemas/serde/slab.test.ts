import { describe, expect, it } from 'vitest';
import { Slab } from './slab.ts';

describe('Slab', () => {
  it('hands out copies that later ones never overwrite, across a new slab', () => {
    const slab = new Slab();
    const kept: Array<[Buffer, number]> = [];
    // 3,500-byte records: the 75th does not fit the first 256 KiB slab's rest
    for (let i = 0; i < 200; i++) kept.push([slab.copy(Buffer.alloc(3_500, i)), i]);
    for (const [b, i] of kept) expect(b.equals(Buffer.alloc(3_500, i))).toBe(true);
    expect(new Set(kept.map(([b]) => b.buffer)).size).toBeGreaterThan(1);
  });

  it('takes what was written in its free part, and gives a larger slab when asked', () => {
    const slab = new Slab();
    let { buf, start } = slab.free();
    buf.write('abc', start);
    const abc = slab.take(start + 3);
    slab.renew(1_000_000);
    ({ buf, start } = slab.free());
    expect(start).toBe(0);
    expect(buf.length).toBeGreaterThanOrEqual(1_000_000);
    buf.fill(0);
    expect(abc.toString()).toBe('abc');
    expect(slab.copy(Buffer.alloc(600_000, 1)).length).toBe(600_000);
  });
});
