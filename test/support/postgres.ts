// A real PostgreSQL server for tests.
//
//   const url = await freshDatabase('cameras');  // a new, empty database on the run's shared server
//   const admin = await postgresUrl();           // the shared server's `postgres` database
//
// The shared server is started on first use and stopped after the run; it outlives test files, so each suite takes
// its own database (freshDatabase) instead of sharing one. A test that stops its server takes its own with
// `ownPostgres()` and stops it. Debian's postgresql package is installed first if missing (infra/postgres/install.sh).
// TEST_DATABASE_URL=postgres://… in the environment makes these use that server instead; the databases
// freshDatabase() makes there stay (drop the `<prefix>_<hex>` ones when done).
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import { sharedService } from '../../infra/local-service/shared-run.ts';
import { ensurePostgresBinaries } from '../../infra/postgres/install.ts';
import { startPostgres } from '../../infra/postgres/server.ts';
import type { PostgresServer, StartPostgresOptions } from '../../infra/postgres/server.ts';
import { isSharedPostgres } from './postgres-global-setup.ts';
import type { SharedPostgres, SharedPostgresState } from './postgres-global-setup.ts';

export type { PostgresServer, StartPostgresOptions };

let shared: Promise<string> | undefined;

/** The URL of the shared server's `postgres` database (for admin statements such as CREATE DATABASE). */
export function postgresUrl(): Promise<string> {
  shared ??= sharedServer();
  return shared;
}

/** Creates an empty database on the shared server, named `<prefix>_<random>`; resolves to its URL. */
export async function freshDatabase(prefix = 'test'): Promise<string> {
  const admin = new URL(await postgresUrl());
  const name = `${prefix.toLowerCase().replace(/[^a-z0-9_]/g, '_')}_${randomBytes(4).toString('hex')}`;
  const client = new pg.Client({ connectionString: admin.href });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${name}`); // name: [a-z0-9_] only, made above
  } finally {
    await client.end();
  }
  admin.pathname = `/${name}`;
  return admin.href;
}

/** A server of the calling test's own, e.g. to stop it. The caller stops it; it dies with the test process anyway. */
export async function ownPostgres(opts: StartPostgresOptions = {}): Promise<PostgresServer> {
  await ensurePostgresBinaries();
  return startPostgres(opts);
}

async function sharedServer(): Promise<string> {
  // inject() is undefined when the globalSetup is not registered: fall back to a server for this test file alone.
  const provided = inject('facestreamPostgres') as SharedPostgres | undefined;
  if (provided === undefined) return (await ownPostgres()).url;
  if (provided.kind === 'external') return provided.url;
  const { runDir, ownerPid } = provided;
  const state = await sharedService<SharedPostgresState>(runDir, isSharedPostgres, async () => {
    await ensurePostgresBinaries();
    // Detached from this worker (the next test file runs in another one), owned by the main vitest process.
    const server = await startPostgres({ detached: true, ownerPid });
    return { url: server.url, pid: server.pid, dir: server.dir };
  });
  return state.url;
}
