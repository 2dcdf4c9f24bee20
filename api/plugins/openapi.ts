// The OpenAPI document, generated from the routes' schemas (@fastify/swagger), served at /openapi.json, with
// Swagger UI at /docs. File fields of multipart bodies (`x-upload`) are shown as binary strings.
import type { FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { UPLOAD_KEYWORD } from './multipart.ts';
import { VERSION } from '../../cli/version.ts';

/** Replaces every `{ x-upload: true, … }` schema by `{ type: string, format: binary, … }`, in place. */
function showUploads(node: unknown): void {
  if (Array.isArray(node)) {
    node.forEach(showUploads);
    return;
  }
  if (typeof node !== 'object' || node === null) return;
  const obj = node as Record<string, unknown>;
  if (obj[UPLOAD_KEYWORD] === true) {
    delete obj[UPLOAD_KEYWORD];
    obj['type'] = 'string';
    obj['format'] = 'binary';
  }
  for (const v of Object.values(obj)) showUploads(v);
}

/** Registers the generator; call before the routes so it sees them. */
export async function registerOpenApi(app: FastifyInstance, opts: { readonly ui: boolean }): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'facestream API',
        version: VERSION,
        description: 'Face recognition for video: cameras, watch lists, dossiers, events. Errors: `{ error: { code, message, field?, reason? } }`.',
      },
      tags: [
        { name: 'camera groups' },
        { name: 'cameras' },
        { name: 'watch lists' },
        { name: 'dossiers' },
        { name: 'dossier faces' },
        { name: 'events' },
        { name: 'episodes' },
        { name: 'search' },
        { name: 'detect' },
        { name: 'statistics' },
        { name: 'verify' },
        { name: 'authentication' },
        { name: 'users' },
        { name: 'roles' },
        { name: 'tokens' },
        { name: 'audit' },
        { name: 'operations' },
      ],
      // every /api/v1 route but login needs a token (docs/API.md "Authentication and rights"); routes open to
      // anyone say `security: []`
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'a key from POST /api/v1/auth/login or POST /api/v1/tokens (FindFace\'s `Token <key>` also works)' } } },
      security: [{ bearer: [] }],
    },
    // components named after the schemas' $id instead of def-0, def-1 …
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json['$id'] === 'string' ? json['$id'] : `def-${i}`) },
    transformObject: (doc) => {
      const document = 'openapiObject' in doc ? doc.openapiObject : doc.swaggerObject;
      showUploads(document);
      return document;
    },
  });
  if (opts.ui) await app.register(swaggerUi, { routePrefix: '/docs' });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
}
