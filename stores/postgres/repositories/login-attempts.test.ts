import { expect, it } from 'vitest';
import { describeEachBackend } from '../testing/backends.ts';
import { clearLoginAttempts, sweepLoginAttempts, takeLoginAttempt } from './login-attempts.ts';

const at = (ms: number) => new Date(Date.UTC(2026, 0, 1) + ms);

describeEachBackend('login attempts', (ctx) => {
  it('allows `limit` attempts per window and key, then tells how long to wait', async () => {
    const rule = { limit: 2, windowMs: 1000 };
    const take = (key: string, ms: number) => takeLoginAttempt(ctx.db, key, rule, at(ms));
    expect(await take('a', 0)).toEqual({ ok: true });
    expect(await take('a', 100)).toEqual({ ok: true });
    expect(await take('a', 400)).toEqual({ ok: false, retryAfterMs: 600 });
    expect(await take('a', 500)).toEqual({ ok: false, retryAfterMs: 500 }); // refused ones do not move the window
    expect(await take('b', 400)).toEqual({ ok: true }); // keys are apart
    expect(await take('a', 1000)).toEqual({ ok: true }); // a new window
    expect(await take('a', 1001)).toEqual({ ok: true });
    expect(await take('a', 1002)).toMatchObject({ ok: false });
    await clearLoginAttempts(ctx.db, 'a');
    expect(await take('a', 1003)).toEqual({ ok: true });
    await expect(takeLoginAttempt(ctx.db, 'a', { limit: 0, windowMs: 1 }, at(0))).rejects.toThrow(RangeError);
  });

  it('attempts taken at once by several callers never pass the limit together', async () => {
    const verdicts = await Promise.all(Array.from({ length: 12 }, () => takeLoginAttempt(ctx.db, 'burst', { limit: 5, windowMs: 60_000 }, at(0))));
    expect(verdicts.filter((v) => v.ok)).toHaveLength(5);
  });

  it('sweeps windows that started before a given time', async () => {
    for (let i = 0; i < 5; i++) await takeLoginAttempt(ctx.db, `scan-${i}`, { limit: 1, windowMs: 10 }, at(0));
    await takeLoginAttempt(ctx.db, 'scan-late', { limit: 1, windowMs: 10 }, at(50));
    expect(await sweepLoginAttempts(ctx.db, at(40))).toBeGreaterThanOrEqual(5);
    const { rows } = await ctx.db.query<{ key: string }>("SELECT key FROM login_attempts WHERE key LIKE 'scan-%'");
    expect(rows.map((r) => r.key)).toEqual(['scan-late']);
  });
});
