// Configuration of the PostgreSQL store (configuration and identities): TypeBox schema, type derived. A section
// of the one configuration as `stores.postgres` (config/schema.ts); DATABASE_URL reaches it as `url` through the
// config loader's environment layer.
import { Type, type Static } from '@sinclair/typebox';

export const PostgresConfig = Type.Object(
  {
    url: Type.String({
      default: '',
      description: 'postgres:// URL of a PostgreSQL server (environment DATABASE_URL); empty = embedded PGlite in `data_dir`',
      examples: ['postgres://facestream:secret@postgres:5432/facestream'],
    }),
    data_dir: Type.String({
      default: '.facestream/data/postgres',
      description: 'data directory of the embedded PGlite engine (relative to the working directory); one process at a time owns it',
    }),
    max_connections: Type.Integer({ default: 10, minimum: 1, description: 'connections of the pool against a server' }),
  },
  { additionalProperties: false, default: {} },
);
export type PostgresConfig = Static<typeof PostgresConfig>;

/** openDatabase()'s options (stores/postgres/open.ts) from the configuration: the server when a URL is set, else PGlite. */
export function databaseOptionsOf(config: PostgresConfig): { url?: string; dataDir?: string; maxConnections: number } {
  const url = config.url.trim();
  return url ? { url, maxConnections: config.max_connections } : { dataDir: config.data_dir, maxConnections: config.max_connections };
}
