// Login attempts counted per key in fixed windows (migration 007), shared by every process on the database. One
// statement takes an attempt, so two processes taking at once cannot both slip under the limit.
import type { Queryable } from '../db.ts';

export interface RateLimit {
  /** attempts allowed per window */
  readonly limit: number;
  readonly windowMs: number;
}

export type Verdict = { readonly ok: true } | { readonly ok: false; readonly retryAfterMs: number };

/**
 * Counts one attempt for `key` at `now`; refused (with the time left in the window) once the window already holds
 * `limit` attempts. A window starts at the first attempt after the previous one ended. Refused attempts are not
 * counted beyond limit + 1, which is how this statement tells them from the last allowed one.
 */
export async function takeLoginAttempt(q: Queryable, key: string, rule: RateLimit, now: Date): Promise<Verdict> {
  if (!(rule.limit >= 1) || !(rule.windowMs > 0)) throw new RangeError('a rate limit needs limit ≥ 1 and windowMs > 0');
  const { rows } = await q.query<{ window_start: Date; attempts: number }>(
    `INSERT INTO login_attempts AS a (key, window_start, attempts) VALUES ($1, $2, 1)
     ON CONFLICT (key) DO UPDATE SET
       window_start = CASE WHEN a.window_start <= $2 - make_interval(secs => $3 / 1000.0) THEN $2 ELSE a.window_start END,
       attempts = CASE WHEN a.window_start <= $2 - make_interval(secs => $3 / 1000.0) THEN 1 ELSE LEAST(a.attempts + 1, $4 + 1) END
     RETURNING window_start, attempts`,
    [key, now, rule.windowMs, rule.limit],
  );
  const row = rows[0]!;
  if (row.attempts <= rule.limit) return { ok: true };
  return { ok: false, retryAfterMs: row.window_start.getTime() + rule.windowMs - now.getTime() };
}

/** Forgets `key`'s attempts (a successful login clears its user name's count). */
export async function clearLoginAttempts(q: Queryable, key: string): Promise<void> {
  await q.query('DELETE FROM login_attempts WHERE key = $1', [key]);
}

/** Drops the windows that started before `before` (finished ones, for the longest window in use); returns how many. */
export async function sweepLoginAttempts(q: Queryable, before: Date): Promise<number> {
  const { rowCount } = await q.query('DELETE FROM login_attempts WHERE window_start < $1', [before]);
  return rowCount;
}
