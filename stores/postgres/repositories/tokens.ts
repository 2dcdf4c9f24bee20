// API tokens (`Authorization: Token <key>`, FindFace's login → token). A token's key is 32 random bytes, shown once
// when made; only its SHA-256 is stored, and a key is found again by hashing what the client sends.
import { createHash, randomBytes } from 'node:crypto';
import type { Queryable } from '../db.ts';
import type { Page, Token } from '../rows.ts';
import { pageParams } from '../sql.ts';

export function tokenKeyHash(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

export interface NewToken {
  readonly user_id: number;
  readonly name?: string;
  readonly expires_date?: Date | null;
}

/** Makes a token; `key` is what the client sends, returned here only. */
export async function createToken(q: Queryable, token: NewToken): Promise<{ readonly token: Token; readonly key: string }> {
  const key = randomBytes(32).toString('base64url');
  const { rows } = await q.query<Token>(
    `INSERT INTO tokens (user_id, key_hash, name, expires_date) VALUES ($1, $2, $3, $4)
     RETURNING id, user_id, name, created_date, expires_date, last_used_date`,
    [token.user_id, tokenKeyHash(key), token.name ?? '', token.expires_date ?? null],
  );
  return { token: rows[0]!, key };
}

/**
 * The token with this key if it exists, has not expired at `now` and belongs to an active user; records `now` as its
 * last use.
 */
export async function useToken(q: Queryable, key: string, now: Date): Promise<Token | undefined> {
  const { rows } = await q.query<Token>(
    `UPDATE tokens t SET last_used_date = $2
     FROM users u
     WHERE t.key_hash = $1 AND u.id = t.user_id AND u.active AND (t.expires_date IS NULL OR t.expires_date > $2)
     RETURNING t.id, t.user_id, t.name, t.created_date, t.expires_date, t.last_used_date`,
    [tokenKeyHash(key), now],
  );
  return rows[0];
}

export async function listTokens(q: Queryable, userId: number): Promise<Token[]> {
  const { rows } = await q.query<Token>(
    'SELECT id, user_id, name, created_date, expires_date, last_used_date FROM tokens WHERE user_id = $1 ORDER BY id',
    [userId],
  );
  return rows;
}

/** Every user's tokens, or one user's, paged by id (for administrators). */
export async function listTokensPage(q: Queryable, filter: Page & { readonly user_id?: number } = {}): Promise<Token[]> {
  const [after, limit] = pageParams(filter);
  const { rows } = await q.query<Token>(
    `SELECT id, user_id, name, created_date, expires_date, last_used_date FROM tokens
     WHERE id > $1 AND ($3::integer IS NULL OR user_id = $3) ORDER BY id LIMIT $2`,
    [after, limit, filter.user_id ?? null],
  );
  return rows;
}

export async function getToken(q: Queryable, id: number): Promise<Token | undefined> {
  const { rows } = await q.query<Token>('SELECT id, user_id, name, created_date, expires_date, last_used_date FROM tokens WHERE id = $1', [id]);
  return rows[0];
}

/** FindFace's logout: this token only. */
export async function deleteToken(q: Queryable, id: number): Promise<boolean> {
  return (await q.query('DELETE FROM tokens WHERE id = $1', [id])).rowCount > 0;
}

/** FindFace's logoutall: every token of the user; resolves to how many. */
export async function deleteUserTokens(q: Queryable, userId: number): Promise<number> {
  return (await q.query('DELETE FROM tokens WHERE user_id = $1', [userId])).rowCount;
}

/** Removes tokens expired at `now`; resolves to how many. */
export async function deleteExpiredTokens(q: Queryable, now: Date): Promise<number> {
  return (await q.query('DELETE FROM tokens WHERE expires_date <= $1', [now])).rowCount;
}
