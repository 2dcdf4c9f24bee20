import { expect, it } from 'vitest';
import { createRateLimiter } from './rate-limit.ts';

it('allows `limit` attempts per window and key, then tells how long to wait', () => {
  const l = createRateLimiter({ limit: 2, windowMs: 1000 });
  expect(l.take('a', 0)).toEqual({ ok: true });
  expect(l.take('a', 100)).toEqual({ ok: true });
  expect(l.take('a', 400)).toEqual({ ok: false, retryAfterMs: 600 });
  expect(l.take('b', 400)).toEqual({ ok: true }); // keys are apart
  expect(l.take('a', 1000)).toEqual({ ok: true }); // a new window
  l.reset('a');
  expect(l.take('a', 1001)).toEqual({ ok: true });
});

it('forgets finished windows', () => {
  const l = createRateLimiter({ limit: 1, windowMs: 10 });
  for (let i = 0; i < 100; i++) l.take(`user-${i}`, 0);
  expect(l.size).toBe(100);
  l.take('late', 50);
  expect(l.size).toBe(1);
  expect(() => createRateLimiter({ limit: 0, windowMs: 1 })).toThrow(RangeError);
});
