// Versioned migrations: migrations/NNNN_name.sql applied in order, each recorded in schema_migrations with its
// checksum. Running again applies only what is new; an applied file that was edited since is an error (write a
// new migration instead). Statements use IF NOT EXISTS, so a migration interrupted half-way can run again.
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import type { ClickHouseClient } from '@clickhouse/client';
import { TABLES } from './names.ts';

export const MIGRATIONS_DIR = fileURLToPath(new URL('./migrations/', import.meta.url));

export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly checksum: string;
  readonly statements: readonly string[];
}

export interface MigrationResult {
  /** versions applied by this call, in order */
  readonly applied: readonly number[];
  /** versions that were applied before */
  readonly alreadyApplied: readonly number[];
}

export class MigrationError extends Error {
  override readonly name = 'MigrationError';
}

const FILE_NAME = /^(\d{4})_([a-z0-9_]+)\.sql$/;

/** Reads and orders the migration files of `dir`. */
export async function loadMigrations(dir = MIGRATIONS_DIR): Promise<Migration[]> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.sql')).sort();
  const migrations: Migration[] = [];
  for (const file of files) {
    const m = FILE_NAME.exec(file);
    if (!m) throw new MigrationError(`migration file ${file} is not named NNNN_name.sql`);
    const sql = await readFile(join(dir, file), 'utf8');
    const version = Number(m[1]);
    if (migrations.some((x) => x.version === version)) throw new MigrationError(`two migrations have version ${version}`);
    migrations.push({ version, name: m[2]!, checksum: createHash('sha256').update(sql).digest('hex'), statements: splitStatements(sql) });
  }
  return migrations;
}

/**
 * Splits a migration into statements: `--` comment lines are dropped and a statement ends with `;` at the end
 * of a line (so a `;` inside a line, e.g. in a string, does not split).
 */
export function splitStatements(sql: string): string[] {
  const statements: string[] = [];
  let current: string[] = [];
  for (const line of sql.split('\n')) {
    if (line.trim().startsWith('--')) continue;
    const trimmed = line.trimEnd();
    if (trimmed.endsWith(';')) {
      current.push(trimmed.slice(0, -1));
      const stmt = current.join('\n').trim();
      if (stmt !== '') statements.push(stmt);
      current = [];
    } else {
      current.push(line);
    }
  }
  const rest = current.join('\n').trim();
  if (rest !== '') statements.push(rest);
  return statements;
}

async function ensureMigrationsTable(client: ClickHouseClient): Promise<void> {
  await client.command({
    query: `CREATE TABLE IF NOT EXISTS ${TABLES.schemaMigrations} (
      version UInt32, name String, checksum String, applied_at DateTime64(3, 'UTC') DEFAULT now64(3)
    ) ENGINE = ReplacingMergeTree ORDER BY version`,
  });
}

/** Applied migrations, by version. */
export async function appliedMigrations(client: ClickHouseClient): Promise<Map<number, { name: string; checksum: string }>> {
  await ensureMigrationsTable(client);
  const rs = await client.query({
    query: `SELECT version, name, checksum FROM ${TABLES.schemaMigrations} FINAL ORDER BY version`,
    format: 'JSONEachRow',
  });
  const rows = await rs.json<{ version: number; name: string; checksum: string }>();
  return new Map(rows.map((r) => [Number(r.version), { name: r.name, checksum: r.checksum }]));
}

/** Applies the migrations not applied yet, in order. */
export async function migrate(client: ClickHouseClient, migrations?: readonly Migration[]): Promise<MigrationResult> {
  const all = migrations ?? (await loadMigrations());
  const done = await appliedMigrations(client);
  const applied: number[] = [];
  const alreadyApplied: number[] = [];
  for (const m of all) {
    const before = done.get(m.version);
    if (before) {
      if (before.checksum !== m.checksum) {
        throw new MigrationError(
          `migration ${m.version} (${m.name}) was changed after it was applied (checksum differs); add a new migration instead`,
        );
      }
      alreadyApplied.push(m.version);
      continue;
    }
    for (const statement of m.statements) {
      try {
        await client.command({ query: statement });
      } catch (err) {
        throw new MigrationError(`migration ${m.version} (${m.name}) failed: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    await client.insert({
      table: TABLES.schemaMigrations,
      values: [{ version: m.version, name: m.name, checksum: m.checksum }],
      format: 'JSONEachRow',
    });
    applied.push(m.version);
  }
  return { applied, alreadyApplied };
}
