// Versioned SQL migrations: stores/postgres/migrations/NNN_name.sql, run in version order when a store opens.
// Each applied file is recorded in schema_migrations (version, name, SHA-256 of its text, when). All pending files
// run in one transaction, so a failed migration leaves the database as it was. The transaction first takes a
// transaction-level advisory lock, so two processes starting at once against one server queue up: the second sees
// the first one's rows and runs nothing. An applied file whose text changed since, or an applied version with no file
// (a database migrated by a newer facestream), stops the start with an error naming it.
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Db } from './db.ts';

export const MIGRATIONS_DIR = fileURLToPath(new URL('./migrations/', import.meta.url));

/** pg_advisory_xact_lock key of facestream's migrations (any constant other applications are unlikely to pick). */
const MIGRATION_LOCK = 4_617_315_517_961_601;

export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
  /** SHA-256 of the file's text, hex. */
  readonly checksum: string;
}

export interface MigrationResult {
  /** Versions this call applied, in order (empty when the database was up to date). */
  readonly applied: number[];
  /** The highest version in the database now. */
  readonly version: number;
}

export class MigrationError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'MigrationError';
  }
}

const FILE = /^(\d{3,})_([a-z0-9_]+)\.sql$/;

/** The migration files of `dir`, in version order. Other files are ignored; a malformed .sql name or a repeated version is an error. */
export async function loadMigrations(dir: string = MIGRATIONS_DIR): Promise<Migration[]> {
  const out: Migration[] = [];
  for (const file of (await readdir(dir)).sort()) {
    if (!file.endsWith('.sql')) continue;
    const m = FILE.exec(file);
    if (!m) throw new MigrationError(`${join(dir, file)}: a migration is named NNN_name.sql (digits, underscore, lower-case name)`);
    const version = Number(m[1]);
    if (out.some((x) => x.version === version)) throw new MigrationError(`${join(dir, file)}: version ${version} appears twice`);
    const sql = await readFile(join(dir, file), 'utf8');
    out.push({ version, name: m[2]!, sql, checksum: createHash('sha256').update(sql).digest('hex') });
  }
  return out.sort((a, b) => a.version - b.version);
}

const CREATE_TABLE = `
CREATE TABLE IF NOT EXISTS schema_migrations (
  version    integer PRIMARY KEY,
  name       text NOT NULL,
  checksum   text NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now()
)`;

/** Brings the database to the latest migration. */
export async function migrate(db: Db, migrations?: readonly Migration[]): Promise<MigrationResult> {
  const files = migrations ?? (await loadMigrations());
  return db.transaction(async (tx) => {
    await tx.query(`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK})`);
    await tx.exec(CREATE_TABLE);
    const { rows } = await tx.query<{ version: number; name: string; checksum: string }>(
      'SELECT version, name, checksum FROM schema_migrations ORDER BY version',
    );
    const done = new Map(rows.map((r) => [r.version, r]));
    for (const r of rows) {
      const file = files.find((f) => f.version === r.version);
      if (!file) throw new MigrationError(`the database has migration ${r.version} (${r.name}), which this facestream does not know: it was migrated by a newer version`);
      if (file.checksum !== r.checksum) {
        throw new MigrationError(`migration ${r.version}_${r.name}.sql changed after it was applied; add a new migration instead of editing an applied one`);
      }
    }
    const applied: number[] = [];
    for (const m of files) {
      if (done.has(m.version)) continue;
      try {
        await tx.exec(m.sql);
      } catch (err) {
        throw new MigrationError(`migration ${m.version}_${m.name}.sql failed: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
      }
      await tx.query('INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)', [m.version, m.name, m.checksum]);
      applied.push(m.version);
    }
    return { applied, version: Math.max(0, ...files.map((f) => f.version).filter((v) => done.has(v) || applied.includes(v))) };
  });
}
