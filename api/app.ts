// buildApi: the Fastify application, built apart from listening (cli/serve.ts listens, tests inject()).
// Order: error handling and body parsers → services → OpenAPI → operations routes → /api/v1 resources, one plugin
// each, behind the authorisation seam.
import Fastify, { type FastifyInstance } from 'fastify';
import type { ApiConfig } from './config.ts';
import type { ApiDeps } from './deps.ts';
import { installErrorHandling } from './errors.ts';
import { acceptMultipart, uploadKeyword } from './plugins/multipart.ts';
import { registerOpenApi } from './plugins/openapi.ts';
import { registerOperations } from './plugins/operations.ts';
import { servicesPlugin } from './plugins/services.ts';
import { cameraGroupRoutes } from './routes/camera-groups.ts';
import { cameraRoutes } from './routes/cameras.ts';
import { dossierFaceRoutes } from './routes/dossier-faces.ts';
import { dossierRoutes } from './routes/dossiers.ts';
import { detectRoutes } from './routes/detect.ts';
import { episodeRoutes } from './routes/episodes.ts';
import { eventAcknowledgeRoutes } from './routes/event-acknowledge.ts';
import { eventRoutes } from './routes/events.ts';
import { searchRoutes } from './routes/search.ts';
import { statisticsRoutes } from './routes/statistics.ts';
import { verifyRoutes } from './routes/verify.ts';
import { watchListRoutes } from './routes/watch-lists.ts';
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
  ['/search', searchRoutes],
  ['/detect', detectRoutes],
  ['/statistics', statisticsRoutes],
  ['/verify', verifyRoutes],
] as const;

export async function buildApi(deps: ApiDeps, config: ApiConfig): Promise<FastifyInstance> {
  const app = Fastify({
    logger: deps.logger ?? false,
    bodyLimit: config.body_limit_bytes,
    trustProxy: config.trust_proxy,
    routerOptions: { ignoreTrailingSlash: true },
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
  await app.register(servicesPlugin, { deps, config });
  await registerOpenApi(app, { ui: config.docs });
  await registerOperations(app);
  await app.register(
    async (api) => {
      // the authorisation seam: every resource route passes here first
      const authorize = deps.authorize;
      if (authorize) api.addHook('preHandler', async (request) => authorize(request));
      for (const [prefix, routes] of RESOURCES) await api.register(routes, { prefix });
    },
    { prefix: API_PREFIX },
  );
  return app;
}
