// buildApi: the Fastify application, built apart from listening (cli/serve.ts listens, tests inject()).
// Order: error handling and body parsers → services → OpenAPI → operations routes → /api/v1 resources, one plugin
// each, behind authentication, authorisation and audit (api/plugins/auth.ts).
import { randomUUID } from 'node:crypto';
import websocket from '@fastify/websocket';
import Fastify, { type FastifyInstance } from 'fastify';
import { consoleRoutes } from '../console/serve.ts';
import { createAuditLogWriter, type AuditLogWriter } from '../stores/clickhouse/audit-log.ts';
import type { ApiConfig } from './config.ts';
import type { ApiDeps } from './deps.ts';
import { installErrorHandling } from './errors.ts';
import { authPlugin } from './plugins/auth.ts';
import { acceptMultipart, uploadKeyword } from './plugins/multipart.ts';
import { registerOpenApi } from './plugins/openapi.ts';
import { registerOperations } from './plugins/operations.ts';
import { servicesPlugin } from './plugins/services.ts';
import { auditLogRoutes } from './routes/audit-log.ts';
import { authRoutes } from './routes/auth.ts';
import { cameraGroupRoutes } from './routes/camera-groups.ts';
import { cameraRoutes } from './routes/cameras.ts';
import { counterRoutes } from './routes/counters.ts';
import { dossierFaceRoutes } from './routes/dossier-faces.ts';
import { dossierRoutes } from './routes/dossiers.ts';
import { detectRoutes } from './routes/detect.ts';
import { episodeRoutes } from './routes/episodes.ts';
import { closeWith, liveRoutes } from './routes/live.ts';
import { eventAcknowledgeRoutes } from './routes/event-acknowledge.ts';
import { eventRoutes } from './routes/events.ts';
import { retroMatchRoutes } from './routes/retro-matches.ts';
import { searchRoutes } from './routes/search.ts';
import { settingRoutes } from './routes/settings.ts';
import { statisticsRoutes } from './routes/statistics.ts';
import { roleRoutes } from './routes/roles.ts';
import { tokenRoutes } from './routes/tokens.ts';
import { userRoutes } from './routes/users.ts';
import { verifyRoutes } from './routes/verify.ts';
import { watchListRoutes } from './routes/watch-lists.ts';
import { webhookRoutes } from './routes/webhooks.ts';
import { SHARED_SCHEMAS } from './schemas/index.ts';

export interface ServedRoute {
  readonly method: string;
  readonly url: string;
  /** left out of the OpenAPI document (Swagger UI's own files, the document itself) */
  readonly hidden: boolean;
}

declare module 'fastify' {
  interface FastifyInstance {
    readonly servedRoutes: readonly ServedRoute[];
    /** the audit rows' writer: `flush()` makes the rows of answered requests readable (tests) */
    readonly auditLog: AuditLogWriter;
  }
}

export const API_PREFIX = '/api/v1';

/** The resources under /api/v1, each a plugin with its own prefix. */
export const RESOURCES = [
  ['/camera-groups', cameraGroupRoutes],
  ['/cameras', cameraRoutes],
  ['/watch-lists', watchListRoutes],
  ['/dossiers', dossierRoutes],
  ['/dossier-faces', dossierFaceRoutes],
  ['/events', eventRoutes],
  ['/events', eventAcknowledgeRoutes],
  ['/episodes', episodeRoutes],
  ['/retro-matches', retroMatchRoutes],
  ['/search', searchRoutes],
  ['/detect', detectRoutes],
  ['/statistics', statisticsRoutes],
  ['/counters', counterRoutes],
  ['/verify', verifyRoutes],
  ['/auth', authRoutes],
  ['/users', userRoutes],
  ['/roles', roleRoutes],
  ['/tokens', tokenRoutes],
  ['/audit-log', auditLogRoutes],
  ['/webhooks', webhookRoutes],
  ['/settings', settingRoutes],
] as const;

export async function buildApi(deps: ApiDeps, config: ApiConfig): Promise<FastifyInstance> {
  const app = Fastify({
    logger: deps.logger ?? false,
    bodyLimit: config.body_limit_bytes,
    trustProxy: config.trust_proxy,
    routerOptions: { ignoreTrailingSlash: true },
    // unique across restarts and processes: the audit log keys rows by request id
    genReqId: () => randomUUID(),
    ajv: {
      // unknown fields are errors (400 naming them), not silently dropped
      customOptions: { removeAdditional: false, coerceTypes: 'array', useDefaults: true },
      plugins: [uploadKeyword],
    },
  });
  installErrorHandling(app);
  // every route as served, for the OpenAPI coverage test and docs/API.md
  const served: ServedRoute[] = [];
  app.addHook('onRoute', (route) => {
    const hidden = (route.schema as { hide?: boolean } | undefined)?.hide === true;
    for (const method of [route.method].flat()) served.push({ method, url: route.url, hidden });
  });
  app.decorate('servedRoutes', served);
  acceptMultipart(app);
  for (const schema of SHARED_SCHEMAS) app.addSchema(schema);
  // before the /api/v1 scope: its onRequest hook marks upgrades (request.ws), which the authoriser reads. Clients send
  // nothing after connecting, hence the small payload limit; a failing WebSocket handler closes with a code (1011)
  await app.register(websocket, { options: { maxPayload: 4096 }, errorHandler: (err, socket, request) => (request.log.error({ err }, 'websocket'), closeWith(socket, err)) });
  await app.register(servicesPlugin, { deps, config });
  await registerOpenApi(app, { ui: config.docs });
  await registerOperations(app, deps.metrics);
  // the operator console's files at / (console/serve.ts)
  await app.register(consoleRoutes);
  const audit =
    deps.audit ?? createAuditLogWriter({ client: deps.clickhouse, onError: (err, rows) => app.log.error({ err, rows }, 'audit rows could not be written') });
  app.decorate('auditLog', audit);
  app.addHook('onClose', async () => audit.close());
  await app.register(
    async (api) => {
      // authentication, authorisation and audit: every resource route passes here first
      await api.register(authPlugin, { deps, audit });
      for (const [prefix, routes] of RESOURCES) await api.register(routes, { prefix });
      await api.register(liveRoutes, { prefix: '/live', pollMs: config.live_poll_ms, maxBufferedBytes: config.live_max_buffered_bytes });
    },
    { prefix: API_PREFIX },
  );
  return app;
}
