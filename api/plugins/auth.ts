// Authentication, authorisation and audit for the /api/v1 scope, in one plugin so their order is fixed: the
// authoriser runs on onRequest (before any body is read), the audit hooks hash bodies and record every mutating
// request once it is answered. Also what the auth routes need: the clock, the login limits, the audit writer.
import fp from 'fastify-plugin';
import type { AuditLogWriter } from '../../stores/clickhouse/audit-log.ts';
import type { ApiDeps } from '../deps.ts';
import { createAuthorizer } from '../auth/authorize.ts';
import { ApiError } from '../errors.ts';
import { DEFAULT_LOGIN_LIMITS, type LoginLimits } from '../routes/auth.ts';
import { installAuditHooks } from './audit.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** a WebSocket upgrade the authoriser refused: the route closes the socket with it (api/routes/live.ts) */
    socketRefusal: ApiError | null;
  }
  interface FastifyInstance {
    /** ms since the epoch (ApiDeps.clock) */
    readonly clock: () => number;
    readonly loginLimits: LoginLimits;
  }
}

export const authPlugin = fp(
  async (api, opts: { readonly deps: ApiDeps; readonly audit: AuditLogWriter }) => {
    const clock = opts.deps.clock ?? Date.now;
    api.decorate('clock', clock);
    api.decorate('loginLimits', opts.deps.loginLimits ?? DEFAULT_LOGIN_LIMITS);
    api.decorateRequest('principal', null);
    api.decorateRequest('bodyDigest', null);
    api.decorateRequest('claimedUser', null);
    installAuditHooks(api, { writer: opts.audit, clock });
    const authorize = opts.deps.authorize ?? createAuthorizer({ db: opts.deps.db, clock });
    api.decorateRequest('socketRefusal', null);
    api.addHook('onRequest', async (request) => {
      try {
        await authorize(request);
      } catch (err) {
        // A browser sees no status or body of a refused WebSocket upgrade, only a close code: the upgrade goes ahead
        // and the route closes with this refusal. Still fail closed: without a principal, principalOf() refuses.
        if (!(request.ws && err instanceof ApiError)) throw err;
        request.principal = null;
        request.socketRefusal = err;
      }
    });
  },
  { name: 'facestream-auth' },
);
