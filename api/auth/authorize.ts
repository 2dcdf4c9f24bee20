// The authoriser behind ApiDeps.authorize: runs first on every /api/v1 request (onRequest, before the body is read).
// The route's rule (route-permissions.ts) says whether a token is needed; the token (`Authorization: Bearer <key>`,
// or FindFace's `Token <key>`) names the user; their roles' rights decide. 401 without a valid token, 403 without
// the right.
import type { FastifyRequest } from 'fastify';
import type { Db } from '../../stores/postgres/db.ts';
import { getUserRights } from '../../stores/postgres/repositories/rights.ts';
import { useToken } from '../../stores/postgres/repositories/tokens.ts';
import { getUser } from '../../stores/postgres/repositories/users.ts';
import { ApiError } from '../errors.ts';
import { hasPermission, isAdmin, type Principal } from './principal.ts';
import { ruleOf, type RouteRule } from './route-permissions.ts';

const unauthenticated = (message: string) => new ApiError('FS_ERR_UNAUTHENTICATED', message, undefined, undefined, { 'www-authenticate': 'Bearer' });

/** The key of an `Authorization: Bearer <key>` or `Token <key>` header; undefined when absent or of another scheme. */
export function bearerKey(header: string | undefined): string | undefined {
  const m = /^(?:Bearer|Token)\s+([A-Za-z0-9_-]{20,128})\s*$/i.exec(header ?? '');
  return m?.[1];
}

/** The `token` query parameter when it has a token's shape. */
function queryToken(query: unknown): string | undefined {
  const token = (query as { token?: unknown } | undefined)?.token;
  return typeof token === 'string' && /^[A-Za-z0-9_-]{20,128}$/.test(token) ? token : undefined;
}

/** The user behind a token key, with their rights; undefined for an unknown, expired or deactivated one. */
export async function principalOfKey(db: Db, key: string, now: Date): Promise<Principal | undefined> {
  const token = await useToken(db, key, now);
  if (!token) return undefined;
  const [user, rights] = await Promise.all([getUser(db, token.user_id), getUserRights(db, token.user_id)]);
  if (!user || !rights) return undefined; // deleted between the two reads
  return { user, tokenId: token.id, rights };
}

function allowed(p: Principal, rule: RouteRule | undefined): boolean {
  if (rule === undefined) return isAdmin(p); // undeclared route: fail closed for everyone else
  switch (rule.kind) {
    case 'public':
    case 'authenticated':
      return true;
    case 'admin':
      return isAdmin(p);
    case 'permission':
      return hasPermission(p, rule.permission);
  }
}

export interface AuthorizerOptions {
  readonly db: Db;
  /** ms since the epoch (token expiry, last use) */
  readonly clock: () => number;
}

export function createAuthorizer(o: AuthorizerOptions): (request: FastifyRequest) => Promise<void> {
  return async (request) => {
    const pattern = request.routeOptions.url;
    const rule = pattern === undefined ? undefined : ruleOf(request.method, pattern);
    if (rule?.kind === 'public') return;
    // browsers cannot set headers on a WebSocket: there (only) the token may come as ?token= (docs/API.md "Live feed")
    const key = bearerKey(request.headers.authorization) ?? (request.ws ? queryToken(request.query) : undefined);
    if (key === undefined) throw unauthenticated('authentication required: send Authorization: Bearer <token> (POST /api/v1/auth/login gives one)');
    const principal = await principalOfKey(o.db, key, new Date(o.clock()));
    if (!principal) throw unauthenticated('the token is unknown, expired or its user deactivated');
    request.principal = principal;
    if (!allowed(principal, rule)) {
      const what = rule?.kind === 'permission' ? `permission ${rule.permission}` : 'administrator rights';
      throw new ApiError('FS_ERR_FORBIDDEN', `${request.method} ${pattern ?? request.url}: needs ${what}`);
    }
  };
}
