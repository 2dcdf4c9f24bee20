import { describe, expect, it } from 'vitest';
import { mockContext } from './index.ts';

describe('mockContext', () => {
  it('collects forwarded records, counts and a settable clock', async () => {
    const ctx = mockContext<number>({ now: 1000 });
    await ctx.forward(1);
    await ctx.forward(2);
    expect(ctx.take()).toEqual([1, 2]);
    await ctx.forward(3);
    expect(ctx.take()).toEqual([3]);
    expect(ctx.forwarded).toEqual([1, 2, 3]);
    ctx.count('skipped');
    ctx.count('skipped', 2);
    expect(ctx.counts.get('skipped')).toBe(3);
    expect(ctx.clock.now()).toBe(1000);
    ctx.advance(500);
    expect(ctx.clock.now()).toBe(1500);
    ctx.setNow(10);
    expect(ctx.clock.now()).toBe(10);
    ctx.logger.info('silent');
  });
});
