// /api/v1/auth: log in (name + password → a bearer token), log out (that token goes), who am I. Login attempts are
// limited per client IP and per user name (429 with Retry-After), counted in the database so that every serve process
// of a deployment shares the limit; a wrong name and a wrong password get the same answer after the same work
// (scrypt either way).
import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import { createToken, deleteToken } from '../../stores/postgres/repositories/tokens.ts';
import { clearLoginAttempts, sweepLoginAttempts, takeLoginAttempt, type RateLimit } from '../../stores/postgres/repositories/login-attempts.ts';
import { getLoginSecret, getUser, recordLogin } from '../../stores/postgres/repositories/users.ts';
import { principalOfKey } from '../auth/authorize.ts';
import { DUMMY_HASH, verifyPassword } from '../auth/password.ts';
import { isAdmin, principalOf, type Principal } from '../auth/principal.ts';
import { ApiError } from '../errors.ts';
import { errors } from '../schemas/common.ts';
import { Login, LoginResult, Me } from '../schemas/tokens.ts';

const tags = ['authentication'];

export interface LoginLimits {
  readonly perIp: RateLimit;
  readonly perUser: RateLimit;
}

/** 30 attempts a minute from one address, 10 per 5 minutes at one user name (a success clears the name's count). */
export const DEFAULT_LOGIN_LIMITS: LoginLimits = { perIp: { limit: 30, windowMs: 60_000 }, perUser: { limit: 10, windowMs: 300_000 } };

/** Tokens from a login expire after 30 days; longer-lived ones are made on purpose through POST /tokens. */
const LOGIN_TOKEN_TTL_MS = 30 * 24 * 3600 * 1000;

const rateLimited = (retryAfterMs: number) => {
  const s = Math.max(1, Math.ceil(retryAfterMs / 1000));
  return new ApiError('FS_ERR_RATE_LIMITED', `too many login attempts: retry in ${s} s`, undefined, undefined, { 'retry-after': String(s) });
};

export function meView(p: Principal) {
  return {
    user: p.user,
    token_id: p.tokenId,
    administrator: isAdmin(p),
    permissions: [...p.rights.permissions],
    camera_groups: [...p.rights.camera_groups].map(([id, access]) => ({ id, access })),
    watch_lists: [...p.rights.watch_lists].map(([id, access]) => ({ id, access })),
  };
}

export async function authRoutes(app: FastifyInstance): Promise<void> {
  const { perIp, perUser } = app.loginLimits;
  // windows that started longer ago than the longest window are over: dropped now and then, so the keys of a scan of
  // user names do not pile up
  const longestMs = Math.max(perIp.windowMs, perUser.windowMs);
  let sweptAt = 0;

  app.post<{ Body: Login }>(
    '/login',
    {
      schema: {
        tags,
        summary: 'Log in: a bearer token for a user name and password',
        description: 'The token (`key`) is shown once; send it as `Authorization: Bearer <key>`. 401 for a wrong name or password, 429 (with Retry-After) after too many attempts.',
        security: [],
        body: Login,
        response: { 200: LoginResult, ...errors(401, 429) },
      },
    },
    async (req) => {
      const { username, password } = req.body;
      req.claimedUser = username;
      const now = app.clock();
      if (now - sweptAt >= longestMs) {
        sweptAt = now;
        await sweepLoginAttempts(app.db, new Date(now - longestMs));
      }
      const userKey = `user:${username.toLowerCase()}`;
      for (const [key, rule] of [[`ip:${req.ip}`, perIp], [userKey, perUser]] as const) {
        const verdict = await takeLoginAttempt(app.db, key, rule, new Date(now));
        if (!verdict.ok) throw rateLimited(verdict.retryAfterMs);
      }
      const secret = await getLoginSecret(app.db, username);
      const ok = await verifyPassword(password, secret?.password_hash ?? DUMMY_HASH);
      if (!secret || !ok || !secret.active || secret.password_hash === null) {
        throw new ApiError('FS_ERR_UNAUTHENTICATED', 'wrong user name or password', undefined, undefined, { 'www-authenticate': 'Bearer' });
      }
      await clearLoginAttempts(app.db, userKey);
      const at = new Date(now);
      const { token, key } = await createToken(app.db, { user_id: secret.id, name: 'login', expires_date: new Date(now + LOGIN_TOKEN_TTL_MS) });
      await recordLogin(app.db, secret.id, at);
      // the audit row names the user who logged in
      req.principal = (await principalOfKey(app.db, key, at)) ?? null;
      const user = await getUser(app.db, secret.id);
      return { key, token, user };
    },
  );

  app.post(
    '/logout',
    { schema: { tags, summary: 'Log out: the token of this request stops working', response: { 204: Type.Null({ description: 'logged out' }), ...errors(401) } } },
    async (req, reply) => {
      await deleteToken(app.db, principalOf(req).tokenId);
      return reply.status(204).send();
    },
  );

  app.get(
    '/me',
    { schema: { tags, summary: 'The user of this token, their permissions and object rights', response: { 200: Me, ...errors(401) } } },
    async (req) => meView(principalOf(req)),
  );
}
