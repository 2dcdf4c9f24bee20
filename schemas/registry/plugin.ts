// The Confluent Schema Registry REST subset that @kafkajs/confluent-schema-registry and other Confluent clients use,
// as one encapsulated Fastify plugin: its own content types, its own error bodies (`{error_code, message}`), Avro
// only, no schema references, no deletes, no modes.
//
//   GET  /schemas/ids/{id}                           {schema}
//   GET  /subjects                                   [subject]
//   GET  /subjects/{s}/versions                      [version]
//   GET  /subjects/{s}/versions/{v|latest|-1}        {subject, version, id, schema}
//   GET  /subjects/{s}/versions/{v}/schema           the schema itself
//   POST /subjects/{s}                    {schema}   {subject, version, id, schema}   lookup
//   POST /subjects/{s}/versions           {schema}   {id}                             register
//   GET  /config                                     {compatibilityLevel}
//   PUT  /config                   {compatibility}   {compatibility}
//   GET  /config/{s}[?defaultToGlobal=true]          {compatibilityLevel}  (40408 when the subject has none)
//   PUT  /config/{s}               {compatibility}   {compatibility}
//   POST /compatibility/subjects/{s}/versions/{v}  {schema}  {is_compatible[, messages]}  (?verbose=true)
import type { FastifyError, FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { compatibilityProblems, parseAvroSchema, parseCompatibilityLevel } from './avro.ts';
import type { ParsedSchema } from './avro.ts';
import {
  RegistryHttpError,
  invalidCompatibilityLevel,
  invalidSchema,
  invalidVersion,
  schemaNotFound,
  subjectCompatibilityNotConfigured,
  subjectNotFound,
  versionNotFound,
} from './errors.ts';
import type { SchemaStore } from './store.ts';

export const SCHEMA_REGISTRY_CONTENT_TYPE = 'application/vnd.schemaregistry.v1+json';

export interface SchemaRegistryPluginOptions {
  readonly store: SchemaStore;
}

type Params = { readonly subject?: string; readonly version?: string; readonly id?: string };
type Req = FastifyRequest<{ Params: Params; Querystring: { readonly [k: string]: string | undefined } }>;

export const schemaRegistryPlugin: FastifyPluginAsync<SchemaRegistryPluginOptions> = async (app, { store }) => {
  const jsonParser = app.getDefaultJsonParser('error', 'ignore');
  app.addContentTypeParser(
    [SCHEMA_REGISTRY_CONTENT_TYPE, 'application/vnd.schemaregistry+json', 'application/octet-stream'],
    { parseAs: 'string' },
    jsonParser,
  );
  app.addHook('onSend', async (_req, reply, payload) => {
    reply.header('content-type', SCHEMA_REGISTRY_CONTENT_TYPE);
    return payload;
  });
  app.setErrorHandler((error: FastifyError | RegistryHttpError, req, reply) => replyError(error, req, reply));
  app.setNotFoundHandler((req, reply) => {
    void reply.code(404).send({ error_code: 404, message: `HTTP 404 Not Found: ${req.method} ${req.url}` });
  });

  app.get('/schemas/ids/:id', async (req: Req) => {
    const id = Number(req.params.id);
    const s = Number.isInteger(id) ? store.schemaById(id) : undefined;
    if (s === undefined) throw schemaNotFound(req.params.id);
    return { schema: s.text };
  });

  app.get('/subjects', async () => store.subjectNames());

  app.get('/subjects/:subject/versions', async (req: Req) => {
    const subject = param(req, 'subject');
    const versions = store.versions(subject);
    if (versions === undefined) throw subjectNotFound(subject);
    return versions;
  });

  const getVersion = (req: Req): { subject: string; version: number; id: number; schema: string } => {
    const subject = param(req, 'subject');
    const version = parseVersion(param(req, 'version'));
    if (!store.hasSubject(subject)) throw subjectNotFound(subject);
    const found = store.version(subject, version);
    if (found === undefined) throw versionNotFound(version);
    return found;
  };
  app.get('/subjects/:subject/versions/:version', async (req: Req) => getVersion(req));
  app.get('/subjects/:subject/versions/:version/schema', async (req: Req, reply: FastifyReply) =>
    reply.type(SCHEMA_REGISTRY_CONTENT_TYPE).send(getVersion(req).schema),
  );

  app.post('/subjects/:subject', async (req: Req) => {
    const subject = param(req, 'subject');
    const schema = schemaFromBody(req.body);
    if (!store.hasSubject(subject)) throw subjectNotFound(subject);
    const found = store.lookup(subject, schema);
    if (found === undefined) throw schemaNotFound();
    return found;
  });

  app.post('/subjects/:subject/versions', async (req: Req) => {
    const subject = param(req, 'subject');
    const schema = schemaFromBody(req.body);
    const { id, version, created } = await store.register(subject, schema);
    if (created) req.log.info({ subject, id, version }, `schema registry: ${subject} version ${version} is schema ${id}`);
    return { id };
  });

  app.get('/config', async () => ({ compatibilityLevel: store.globalCompatibility() }));
  app.put('/config', async (req: Req) => {
    const level = levelFromBody(req.body);
    await store.setCompatibility(undefined, level);
    return { compatibility: level };
  });
  app.get('/config/:subject', async (req: Req) => {
    const subject = param(req, 'subject');
    const own = store.subjectCompatibility(subject);
    if (own !== undefined) return { compatibilityLevel: own };
    if (req.query['defaultToGlobal'] === 'true') return { compatibilityLevel: store.globalCompatibility() };
    throw subjectCompatibilityNotConfigured(subject);
  });
  app.put('/config/:subject', async (req: Req) => {
    const subject = param(req, 'subject');
    const level = levelFromBody(req.body);
    await store.setCompatibility(subject, level);
    return { compatibility: level };
  });

  app.post('/compatibility/subjects/:subject/versions/:version', async (req: Req) => {
    const subject = param(req, 'subject');
    const version = parseVersion(param(req, 'version'));
    const schema = schemaFromBody(req.body);
    const verbose = req.query['verbose'] === 'true';
    const all = store.versionTypes(subject);
    let problems: string[];
    if (all.length === 0) {
      // Confluent: nothing registered yet is compatible with "latest"
      if (version !== 'latest') throw subjectNotFound(subject);
      problems = [];
    } else if (version === 'latest') {
      problems = compatibilityProblems(store.effectiveCompatibility(subject), schema.type, all);
    } else {
      const one = all[version - 1];
      if (one === undefined) throw versionNotFound(version);
      problems = compatibilityProblems(nonTransitive(store.effectiveCompatibility(subject)), schema.type, [one]);
    }
    return verbose ? { is_compatible: problems.length === 0, messages: problems } : { is_compatible: problems.length === 0 };
  });
};

function nonTransitive(level: ReturnType<SchemaStore['effectiveCompatibility']>): typeof level {
  return level.endsWith('_TRANSITIVE') ? (level.replace('_TRANSITIVE', '') as typeof level) : level;
}

function param(req: Req, name: keyof Params): string {
  return req.params[name] ?? '';
}

/** `latest`, -1 (= latest) or a positive 32-bit integer; else 422 42202. */
function parseVersion(v: string): number | 'latest' {
  if (v === 'latest' || v === '-1') return 'latest';
  if (!/^[0-9]+$/.test(v)) throw invalidVersion(v);
  const n = Number(v);
  if (n < 1 || n > 2 ** 31 - 1) throw invalidVersion(v);
  return n;
}

function schemaFromBody(body: unknown): ParsedSchema {
  if (typeof body !== 'object' || body === null) throw invalidSchema('the body must be a JSON object with a "schema" string');
  const b = body as { readonly schema?: unknown; readonly schemaType?: unknown; readonly references?: unknown };
  if (b.schemaType !== undefined && b.schemaType !== null && b.schemaType !== 'AVRO') {
    throw invalidSchema(`schemaType ${String(b.schemaType)} is not supported; this registry holds Avro only`);
  }
  if (Array.isArray(b.references) && b.references.length > 0) {
    throw invalidSchema('schema references are not supported; register the fully expanded schema');
  }
  if (typeof b.schema !== 'string' || b.schema.trim() === '') throw invalidSchema('"schema" must be a non-empty string');
  return parseAvroSchema(b.schema);
}

function levelFromBody(body: unknown): ReturnType<SchemaStore['globalCompatibility']> {
  const level =
    typeof body === 'object' && body !== null ? parseCompatibilityLevel((body as { readonly compatibility?: unknown }).compatibility) : undefined;
  if (level === undefined) throw invalidCompatibilityLevel();
  return level;
}

function replyError(error: FastifyError | RegistryHttpError, req: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (error instanceof RegistryHttpError) {
    if (error.statusCode >= 500) req.log.error({ err: error.cause ?? error }, `schema registry: ${error.message}`);
    return reply.code(error.statusCode).send(error.body());
  }
  const status = typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
  if (status === 500) {
    req.log.error({ err: error }, 'schema registry: internal error');
    return reply.code(500).send({ error_code: 500, message: 'Internal Server Error' });
  }
  // body parse errors, unsupported content types…: Fastify's status, Confluent's shape
  return reply.code(status).send({ error_code: status, message: error.message });
}

/** Registers the plugin under `prefix` (default: the root, where Confluent clients expect it). */
export async function registerSchemaRegistry(app: FastifyInstance, opts: SchemaRegistryPluginOptions & { readonly prefix?: string }): Promise<void> {
  await app.register(schemaRegistryPlugin, { store: opts.store, prefix: opts.prefix ?? '' });
}
