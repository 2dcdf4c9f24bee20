// Where a throw-away PostgreSQL cluster keeps its files, and where Debian's server binaries are:
//   <root>/data/          PGDATA (initdb's output; postgresql.conf, pg_hba.conf, the databases)
//   <root>/run/           the Unix socket directory (unix_socket_directories); clients here use TCP on 127.0.0.1
//   <root>/postgres.log   the server's stderr (its log; nothing goes to our stdout)
//   <root>/initdb.log     initdb's output, quoted when it fails
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { HOST } from '../local-service/ports.ts';

export { HOST };

/** The superuser initdb creates; trust authentication on loopback only, so the cluster needs no password. */
export const SUPERUSER = 'postgres';
/** Debian bookworm's PostgreSQL 15 (package postgresql-15). FACESTREAM_PG_BIN points elsewhere. */
export const DEFAULT_BIN_DIR = '/usr/lib/postgresql/15/bin';
export const INSTALL_HINT = 'PostgreSQL 15 runs from Debian\'s package: bash infra/postgres/install.sh (apt-get install postgresql)';

export interface ClusterLayout {
  readonly root: string;
  readonly dataDir: string;
  readonly socketDir: string;
  readonly logFile: string;
  readonly initdbLog: string;
}

export function clusterLayout(root: string): ClusterLayout {
  return {
    root,
    dataDir: join(root, 'data'),
    socketDir: join(root, 'run'),
    logFile: join(root, 'postgres.log'),
    initdbLog: join(root, 'initdb.log'),
  };
}

/** The directory holding initdb and postgres: FACESTREAM_PG_BIN, else Debian's. */
export function binDir(env: NodeJS.ProcessEnv = process.env): string {
  return env['FACESTREAM_PG_BIN'] || DEFAULT_BIN_DIR;
}

export function hasBinaries(dir: string = binDir()): boolean {
  return existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'postgres'));
}

/** postgres://postgres@127.0.0.1:<port>/<database> */
export function connectionUrl(port: number, database = 'postgres'): string {
  return `postgres://${SUPERUSER}@${HOST}:${port}/${encodeURIComponent(database)}`;
}
