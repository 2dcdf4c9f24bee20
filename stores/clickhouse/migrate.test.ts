import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadMigrations, migrate, MigrationError, splitStatements } from './migrate.ts';
import { applyRetention, retentionRules, ttlClause } from './retention.ts';
import { TABLES, VIEWS } from './names.ts';
import { openTestStore, retentionSettings, rows, type TestStore } from './testing.ts';

describe('splitStatements', () => {
  it('splits on ; at line ends, drops comment lines, keeps ; inside a line', () => {
    expect(splitStatements("-- a; comment\nCREATE TABLE a (x String DEFAULT ';');\n\nSELECT 1\n;\nSELECT 2")).toEqual([
      "CREATE TABLE a (x String DEFAULT ';')",
      'SELECT 1\n',
      'SELECT 2',
    ].map((s) => s.trim()));
  });
});

describe('ttlClause', () => {
  it('skips rules of 0 days and says nothing when nothing expires', () => {
    const rules = retentionRules(retentionSettings({ matched_events_days: 0, unmatched_events_days: 7 })).get(TABLES.faceEvents)!;
    expect(ttlClause(rules)).toBe('toDateTime(ts) + INTERVAL 7 DAY DELETE WHERE NOT matched');
    expect(ttlClause(retentionRules(retentionSettings({ audit_log_days: 0 })).get(TABLES.auditLog)!)).toBe('');
  });
});

describe('migrations on chdb', () => {
  let store: TestStore;
  beforeAll(async () => {
    store = await openTestStore({ migrate: false });
  });
  afterAll(async () => {
    await store?.dispose();
  });

  it('are numbered, ordered and applied once', async () => {
    const all = await loadMigrations();
    expect(all.map((m) => m.version)).toEqual([...all.map((m) => m.version)].sort((a, b) => a - b));
    const first = await migrate(store.client);
    expect(first.applied).toEqual(all.map((m) => m.version));
    const again = await migrate(store.client);
    expect(again).toEqual({ applied: [], alreadyApplied: all.map((m) => m.version) });
    const recorded = await rows<{ n: string }>(store, `SELECT count() AS n FROM ${TABLES.schemaMigrations} FINAL`);
    expect(Number(recorded[0]!.n)).toBe(all.length);
  });

  it('create every table and view named in names.ts', async () => {
    await applyRetention(store.client, retentionSettings());
    const names = (await rows<{ name: string }>(store, 'SELECT name FROM system.tables WHERE database = currentDatabase()')).map((r) => r.name);
    for (const name of [...Object.values(TABLES), ...Object.values(VIEWS)]) expect(names).toContain(name);
  });

  it('refuse an applied migration that was edited', async () => {
    const all = await loadMigrations();
    const edited = all.map((m) => (m.version === 1 ? { ...m, checksum: 'edited' } : m));
    await expect(migrate(store.client, edited)).rejects.toThrow(MigrationError);
  });

  it('run a new migration after the others', async () => {
    const all = await loadMigrations();
    const next = { version: 9999, name: 'test_extra', checksum: 'c', statements: ['CREATE TABLE IF NOT EXISTS test_extra (x UInt8) ENGINE = MergeTree ORDER BY x'] };
    expect((await migrate(store.client, [...all, next])).applied).toEqual([9999]);
    expect(await rows(store, 'SELECT * FROM test_extra')).toEqual([]);
  });

  it('retention: TTLs follow the settings and change only when they do', async () => {
    const settings = retentionSettings({ matched_events_days: 60, unmatched_events_days: 7, audit_log_days: 0 });
    await applyRetention(store.client, settings);
    expect((await applyRetention(store.client, settings)).changed).toEqual([]);
    const engine = async (t: string) =>
      (await rows<{ engine_full: string }>(store, 'SELECT engine_full FROM system.tables WHERE database = currentDatabase() AND name = {t:String}', { t }))[0]!.engine_full;
    expect(await engine(TABLES.faceEvents)).toContain('toDateTime(ts) + toIntervalDay(60) WHERE matched, toDateTime(ts) + toIntervalDay(7) WHERE NOT matched');
    expect(await engine(TABLES.auditLog)).not.toContain('TTL');
    const changed = await applyRetention(store.client, { ...settings, audit_log_days: 400 });
    expect(changed.changed).toEqual([TABLES.auditLog]);
    expect(await engine(TABLES.auditLog)).toContain('TTL toDateTime(ts) + toIntervalDay(400)');
    await applyRetention(store.client, settings);
    expect(await engine(TABLES.auditLog)).not.toContain('TTL');
  });
});
