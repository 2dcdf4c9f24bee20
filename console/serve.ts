// The operator console's files at `/`, for buildApi (api/app.ts). One route per built file (read at start), so
// nothing here can shadow /api/v1, /docs or /openapi.json, and an unknown path stays the API's 404. When the console
// was not built (`npm run console:build`), `/` says so instead of a blank page.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

export const CONSOLE_DIST = fileURLToPath(new URL('./dist/', import.meta.url));

const MISSING = `<!doctype html><meta charset="utf-8"><title>facestream console not built</title>
<body style="font-family:sans-serif;max-width:40em;margin:3em auto">
<h1>The console is not built</h1>
<p>This server found no <code>console/dist/index.html</code>. Build it with <code>npm run console:build</code>
(<code>npm ci</code> does it at install) and restart <code>facestream serve</code>.</p>
<p>The API itself works: <a href="docs">API documentation</a>.</p>`;

export async function consoleRoutes(app: FastifyInstance, opts: { readonly dist?: string } = {}): Promise<void> {
  const dist = opts.dist ?? CONSOLE_DIST;
  if (!existsSync(`${dist}/index.html`)) {
    app.get('/', { schema: { hide: true } }, async (_req, reply) => reply.code(503).type('text/html; charset=utf-8').send(MISSING));
    return;
  }
  await app.register(fastifyStatic, {
    root: dist,
    prefix: '/',
    wildcard: false,
    // Swagger UI registers its own copy; the console needs no reply.sendFile
    decorateReply: false,
    // file names under assets/ carry their content hash: cached for good; index.html is asked for again each time
    setHeaders: (reply, path) => reply.header('cache-control', path.includes('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache'),
  });
}
