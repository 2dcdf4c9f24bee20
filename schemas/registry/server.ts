// A stand-alone Confluent-compatible schema registry: facestream serves it because Confluent's, Karapace and
// Apicurio cannot be installed here (FACTS.md). Point SCHEMA_REGISTRY_URL at a real registry to use one instead.
import Fastify, { LogController } from 'fastify';
import type { FastifyBaseLogger } from 'fastify';
import { schemaRegistryPlugin } from './plugin.ts';
import { SchemaStore } from './store.ts';

export interface SchemaRegistryServerOptions {
  /** default 127.0.0.1 */
  readonly host?: string;
  /** default 0: any free port (see `url`) */
  readonly port?: number;
  /** where ids and versions are kept across restarts; memory only when absent */
  readonly dataDir?: string;
  /** e.g. a pino logger; silent when absent */
  readonly logger?: FastifyBaseLogger;
}

export interface SchemaRegistryServer {
  /** base URL, e.g. http://127.0.0.1:38211 */
  readonly url: string;
  /** stops listening; safe to call twice */
  close(): Promise<void>;
}

export async function startSchemaRegistry(options: SchemaRegistryServerOptions = {}): Promise<SchemaRegistryServer> {
  const host = options.host ?? '127.0.0.1';
  const store = await SchemaStore.open(options.dataDir);
  const app =
    options.logger === undefined
      ? Fastify({ logger: false })
      : Fastify({ loggerInstance: options.logger, logController: new LogController({ disableRequestLogging: true }) });
  await app.register(schemaRegistryPlugin, { store });
  await app.listen({ host, port: options.port ?? 0 });
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : options.port ?? 0;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  app.log.info({ url, dataDir: options.dataDir ?? null }, `schema registry listening on ${url}`);
  let closing: Promise<void> | undefined;
  return {
    url,
    close: () => (closing ??= app.close()),
  };
}
