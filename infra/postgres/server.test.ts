import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { beforeAll, describe, expect, it } from 'vitest';
import { isAlive, waitForExit } from '../local-service/process.ts';
import { eventually, holdInChild, whenOwnerDies, withTakenPort } from '../local-service/testing.ts';
import { freshDatabase, postgresUrl } from '../../test/support/postgres.ts';
import { ensurePostgresBinaries } from './install.ts';
import { isPostgresProcess, startPostgres } from './server.ts';

async function ask<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

/** Pids whose parent is `pid` (a postmaster's backends and auxiliary processes). */
function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) out.push(Number(name));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

beforeAll(() => ensurePostgresBinaries());

describe('startPostgres', () => {
  it('starts PostgreSQL 15 on loopback, creates the database asked for, and stop() leaves nothing behind', async () => {
    const server = await startPostgres({ database: 'facestream' });
    expect(server.url).toMatch(/^postgres:\/\/postgres@127\.0\.0\.1:\d+\/facestream$/);
    expect(isPostgresProcess(server.pid, server.dir)).toBe(true);
    const [row] = await ask<{ v: string; db: string }>(server.url, 'SELECT version() AS v, current_database() AS db');
    expect(row).toMatchObject({ v: expect.stringMatching(/^PostgreSQL 15\./), db: 'facestream' });
    const children = childrenOf(server.pid);
    expect(children.length).toBeGreaterThan(0);
    await server.stop();
    await server.stop(); // idempotent
    expect(isAlive(server.pid)).toBe(false);
    expect(children.filter(isAlive)).toEqual([]);
    expect(existsSync(server.dir)).toBe(false);
  });

  it('keeps a given cluster directory: initdb once, data survives a stop and a new start', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fs-pg-keep-'));
    try {
      const first = await startPostgres({ dir, database: 'keep' });
      await ask(first.url, 'CREATE TABLE t (x int); INSERT INTO t VALUES (42)');
      await first.stop();
      expect(existsSync(join(dir, 'data', 'PG_VERSION'))).toBe(true);
      const second = await startPostgres({ dir, database: 'keep' });
      try {
        expect(await ask(second.url, 'SELECT x FROM t')).toEqual([{ x: 42 }]);
      } finally {
        await second.stop();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('fails with the server log when the port is taken', async () => {
    await withTakenPort(async (port) => {
      await expect(startPostgres({ port })).rejects.toThrow(/exited while starting[\s\S]*could not (bind|create)/);
    });
  });
});

describe('no server left behind', () => {
  it('when the Node process that started it is SIGKILLed (postmaster, backends and directory go)', async () => {
    const { child, started } = await holdInChild<{ pid: number; dir: string }>('infra/postgres/fixtures/hold-server.ts');
    const backends = childrenOf(started.pid);
    expect(backends.length).toBeGreaterThan(0);
    child.kill('SIGKILL');
    expect(await waitForExit(started.pid, 20_000)).toBe(true);
    expect(await eventually(() => backends.every((p) => !isAlive(p)), 10_000)).toBe(true);
    expect(await eventually(() => !existsSync(started.dir), 5_000)).toBe(true);
  });

  it('when the owner of a detached server dies', async () => {
    const after = await whenOwnerDies((ownerPid) => startPostgres({ detached: true, ownerPid }), (s) => s.dir);
    expect(after).toEqual({ exited: true, dirRemoved: true });
  });
});

describe('the shared server of a test run', () => {
  it('is started once, and gives each suite a fresh database', async () => {
    expect(await postgresUrl()).toBe(await postgresUrl());
    const a = await freshDatabase('infra');
    const b = await freshDatabase('infra');
    expect(a).not.toBe(b);
    await ask(a, 'CREATE TABLE only_in_a (x int)');
    expect(await ask(b, "SELECT to_regclass('only_in_a') AS t")).toEqual([{ t: null }]);
  });
});
