// The audit trail of /api/v1: every mutating request (POST, PUT, PATCH, DELETE — login attempts included, refused
// ones too) becomes one audit_log row: who, route, method, status, SHA-256 of the raw body (never the body: it may
// hold passwords or photos), request id, client IP, time. Rows are queued and written in batches
// (stores/clickhouse/audit-log.ts), so requests do not wait for ClickHouse.
import { createHash } from 'node:crypto';
import { Transform } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { AuditLogWriter } from '../../stores/clickhouse/audit-log.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** hex SHA-256 of the raw body as received; null until it has been read (or when there is none) */
    bodyDigest: string | null;
    /** the login name a login attempt gave, for the audit row when it failed */
    claimedUser: string | null;
  }
}

export const MUTATING_METHODS: ReadonlySet<string> = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** SHA-256 of no bytes: the digest of a request without a body. */
const EMPTY_DIGEST = createHash('sha256').digest('hex');

/** The digest of a body refused before it was read (401/403 come before parsing): unknown, so none. */
const NOT_READ = '';

const sentBody = (h: { readonly 'content-length'?: string; readonly 'transfer-encoding'?: string }): boolean =>
  h['transfer-encoding'] !== undefined || Number(h['content-length'] ?? 0) > 0;

/** Adds the hooks to `app` (the /api/v1 scope); the request decorations are the auth plugin's. */
export function installAuditHooks(app: FastifyInstance, opts: { readonly writer: AuditLogWriter; readonly clock: () => number }): void {

  // hash the body on its way to the parser: the bytes as sent, whatever the content type
  app.addHook('preParsing', async (request, _reply, payload) => {
    if (!MUTATING_METHODS.has(request.method)) return payload;
    const hash = createHash('sha256');
    const tee = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        hash.update(chunk);
        done(null, chunk);
      },
      flush(done) {
        request.bodyDigest = hash.digest('hex');
        done();
      },
    });
    payload.on('error', (err) => tee.destroy(err));
    return payload.pipe(tee);
  });

  app.addHook('onResponse', async (request, reply) => {
    if (!MUTATING_METHODS.has(request.method)) return;
    const user = request.principal?.user;
    const params = request.params as Record<string, unknown> | undefined;
    const pattern = request.routeOptions.url;
    opts.writer.record({
      id: request.id,
      ts: opts.clock(),
      userId: user ? String(user.id) : '',
      userName: user?.name ?? request.claimedUser ?? '',
      method: request.method,
      route: pattern ?? request.url.split('?')[0] ?? '',
      statusCode: reply.statusCode,
      bodyDigest: request.bodyDigest ?? (sentBody(request.headers) ? NOT_READ : EMPTY_DIGEST),
      objectKind: /^\/api\/v1\/([^/]+)/.exec(pattern ?? request.url)?.[1] ?? '',
      objectId: typeof params?.['id'] === 'string' || typeof params?.['id'] === 'number' ? String(params['id']) : '',
      ip: request.ip,
    });
  });
}
