// What a process running the counters stage opens before it starts: the counter definitions from PostgreSQL,
// followed while it runs. `facestream serve` hands over its open Db (PGlite belongs to it); a Kafka stage process
// opens the server of DATABASE_URL (never the embedded PGlite, whose data directory is the API process's); with
// neither, it counts nothing and says so.
import type { Logger } from 'pino';
import type { FacestreamConfig } from '../../config/schema.ts';
import type { Db } from '../../stores/postgres/db.ts';
import { followCounterDefinitions, type FollowedCounterDefinitions } from './definitions.ts';

export async function openCounterDefinitions(o: { readonly config: Readonly<FacestreamConfig>; readonly logger: Logger; readonly db?: Db }): Promise<FollowedCounterDefinitions> {
  const follow = (db: Db) => followCounterDefinitions(db, { pollMs: o.config.counters.refresh_interval_ms, logger: o.logger });
  if (o.db) return follow(o.db);
  const url = o.config.stores.postgres.url.trim();
  if (url === '') {
    // the stage still runs (and passes end-of-stream markers on), so a deployment without a server loses nothing else
    o.logger.warn('counters: no PostgreSQL server (DATABASE_URL), so no counter is known and nothing is counted; the embedded PGlite belongs to the API process');
    return { forCamera: () => [], refresh: async () => undefined, close: async () => undefined };
  }
  const { openDatabase } = await import('../../stores/postgres/open.ts'); // pg loads only when needed
  const { db } = await openDatabase({ url, maxConnections: 2 });
  try {
    const definitions = await follow(db);
    return {
      ...definitions,
      close: async () => {
        await definitions.close();
        await db.close();
      },
    };
  } catch (err) {
    await db.close();
    throw err;
  }
}
