import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { Db } from './db.ts';
import { loadMigrations, migrate, MigrationError } from './migrate.ts';
import type { Migration, MigrationResult } from './migrate.ts';
import { openDatabase } from './open.ts';
import { connectPg } from './pg-db.ts';
import { openPglite } from './pglite-db.ts';
import { BACKENDS, emptyDatabase } from './testing/backends.ts';
import type { Backend } from './testing/backends.ts';

async function rawDb(kind: Backend): Promise<Db> {
  const { url } = await emptyDatabase(kind);
  return url ? connectPg({ url }) : openPglite();
}

const TABLES = [
  'camera_groups', 'cameras', 'watch_lists', 'watch_list_camera_groups', 'roles', 'camera_group_permissions',
  'watch_list_permissions', 'users', 'user_roles', 'tokens', 'dossiers', 'dossier_watch_lists', 'dossier_faces',
  'webhooks', 'settings', 'dossier_face_outbox', 'camera_outbox', 'counters', 'counter_cameras', 'login_attempts', 'schema_migrations',
];

function fake(version: number, name: string, sql: string): Migration {
  return { version, name, sql, checksum: `${version}-${sql.length}` };
}

describe('migration files', () => {
  it('are NNN_name.sql in version order, starting at 001', async () => {
    const files = await loadMigrations();
    expect(files[0]).toMatchObject({ version: 1, name: 'identities' });
    expect(files.map((f) => f.version)).toEqual([...files.map((f) => f.version)].sort((a, b) => a - b));
    expect(files.every((f) => /^[0-9a-f]{64}$/.test(f.checksum))).toBe(true);
  });
});

describe.each(BACKENDS)('migrate [%s]', (kind) => {
  it('applies every migration once, records it, and a second start applies nothing', async () => {
    const db = await rawDb(kind);
    try {
      const first = await migrate(db);
      expect(first.applied).toEqual((await loadMigrations()).map((m) => m.version));
      const { rows } = await db.query<{ table_name: string }>(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'",
      );
      expect(rows.map((r) => r.table_name).sort()).toEqual([...TABLES].sort());
      const second = await migrate(db);
      expect(second).toEqual({ applied: [], version: first.version });
      const recorded = await db.query<{ version: number; name: string }>('SELECT version, name FROM schema_migrations');
      expect(recorded.rows).toEqual((await loadMigrations()).map(({ version, name }) => ({ version, name })));
      // the seed rows exist once
      const seeds = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM roles WHERE builtin");
      expect(seeds.rows[0]!.n).toBe(3);
    } finally {
      await db.close();
    }
  });

  it('runs only the new ones, in order, after the database was migrated before', async () => {
    const db = await rawDb(kind);
    try {
      const a = fake(1, 'a', 'CREATE TABLE a (x int)');
      const b = fake(2, 'b', 'INSERT INTO a VALUES (1)');
      const c = fake(3, 'c', 'INSERT INTO a SELECT max(x) + 1 FROM a');
      expect((await migrate(db, [a])).applied).toEqual([1]);
      expect(await migrate(db, [a, b, c])).toEqual({ applied: [2, 3], version: 3 });
      expect((await db.query('SELECT x FROM a ORDER BY x')).rows).toEqual([{ x: 1 }, { x: 2 }]);
    } finally {
      await db.close();
    }
  });

  it('a failing migration leaves the database as it was and names the file', async () => {
    const db = await rawDb(kind);
    try {
      const good = fake(1, 'good', 'CREATE TABLE good (x int)');
      const bad = fake(2, 'bad', 'CREATE TABLE half (x int); SELECT no_such_function()');
      await expect(migrate(db, [good, bad])).rejects.toThrow(/migration 2_bad\.sql failed/);
      const { rows } = await db.query("SELECT to_regclass('good') AS g, to_regclass('half') AS h, to_regclass('schema_migrations') AS m");
      expect(rows).toEqual([{ g: null, h: null, m: null }]);
    } finally {
      await db.close();
    }
  });

  it('refuses an applied migration whose text changed, and a database migrated by a newer version', async () => {
    const db = await rawDb(kind);
    try {
      await migrate(db, [fake(1, 'a', 'CREATE TABLE a (x int)'), fake(2, 'b', 'CREATE TABLE b (x int)')]);
      await expect(migrate(db, [fake(1, 'a', 'CREATE TABLE a (x bigint)'), fake(2, 'b', 'CREATE TABLE b (x int)')])).rejects.toThrow(
        /1_a\.sql changed after it was applied/,
      );
      await expect(migrate(db, [fake(1, 'a', 'CREATE TABLE a (x int)')])).rejects.toThrow(MigrationError);
      await expect(migrate(db, [fake(1, 'a', 'CREATE TABLE a (x int)')])).rejects.toThrow(/migration 2 \(b\), which this facestream does not know/);
    } finally {
      await db.close();
    }
  });

  it('several starters at once: one applies, the others wait for it and apply nothing', async () => {
    const { url } = await emptyDatabase(kind);
    // Against a server: separate pools, i.e. separate sessions, as separate processes would have. PGlite is one
    // process's database: concurrent starts there share the instance.
    const shared = url ? undefined : await openPglite();
    const starters = Array.from({ length: 4 }, () => (url ? connectPg({ url, max: 1 }) : shared!));
    try {
      const results = await Promise.all(starters.map((db) => migrate(db)));
      const applied = results.map((r) => r.applied.length).sort((a, b) => b - a);
      expect(applied[0]).toBeGreaterThan(0);
      expect(applied.slice(1)).toEqual([0, 0, 0]);
      const { rows } = await starters[0]!.query<{ n: number }>('SELECT count(*)::int AS n FROM schema_migrations');
      expect(rows[0]!.n).toBe(results[0]!.version);
    } finally {
      await Promise.all([...new Set(starters)].map((db) => db.close()));
    }
  });
});

describe('openDatabase', () => {
  it('keeps a PGlite data directory: the second open finds the schema and applies nothing', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'fs-pglite-'));
    try {
      const first = await openDatabase({ dataDir });
      await first.db.query("INSERT INTO camera_groups (name) VALUES ('kept')");
      await first.db.close();
      const second = await openDatabase({ dataDir });
      try {
        expect(second.migrations.applied).toEqual([]);
        expect((await second.db.query("SELECT name FROM camera_groups WHERE name = 'kept'")).rowCount).toBe(1);
      } finally {
        await second.db.close();
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

describe('processes starting together against one server', () => {
  it('three processes open one new database at once: one migrates it, the others find it done', async () => {
    const { url } = await emptyDatabase('postgres');
    const repo = fileURLToPath(new URL('../..', import.meta.url));
    const fixture = fileURLToPath(new URL('./testing/open-once.ts', import.meta.url));
    const runs = await Promise.all(
      [1, 2, 3].map(() => promisify(execFile)(process.execPath, [join(repo, 'bin/run-ts.js'), fixture, url!], { timeout: 120_000 })),
    );
    const results = runs.map((r) => JSON.parse(r.stdout) as MigrationResult);
    const latest = (await loadMigrations()).map((m) => m.version);
    expect(results.filter((r) => r.applied.length > 0).map((r) => r.applied)).toEqual([latest]);
    expect(results.every((r) => r.version === Math.max(...latest))).toBe(true);
  });
});
