import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAlive } from '../local-service/process.ts';
import { runCli } from '../local-service/testing.ts';
import type { CliRun } from '../local-service/testing.ts';
import { ensurePostgresBinaries } from './install.ts';

function cli(stateDir: string, ...args: string[]): Promise<CliRun> {
  return runCli('infra/postgres/cli.ts', stateDir, args, 120_000);
}

describe('postgres CLI (up, status, down)', () => {
  let stateDir = '';
  beforeAll(async () => {
    await ensurePostgresBinaries();
    stateDir = await mkdtemp(join(tmpdir(), 'fs-pg-cli-'));
    await chmod(stateDir, 0o755); // run as root, the cluster belongs to the postgres user, who must reach it
  });
  afterAll(async () => {
    await cli(stateDir, 'down');
    await rm(stateDir, { recursive: true, force: true });
  });

  it('starts a server that outlives the command, reports it, keeps its data across down/up on the same port', async () => {
    const up = await cli(stateDir, 'up');
    expect(up.code).toBe(0);
    const url = /^DATABASE_URL=(\S+)$/m.exec(up.stdout)?.[1];
    expect(url).toMatch(/^postgres:\/\/postgres@127\.0\.0\.1:\d+\/facestream$/);
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query('CREATE TABLE kept (x int); INSERT INTO kept VALUES (7)');
    await client.end();

    const again = await cli(stateDir, 'up');
    expect(again.stdout).toBe(up.stdout);
    expect(again.stderr).toMatch(/already running/);
    expect((await cli(stateDir, 'status')).stdout).toBe(up.stdout);
    const pid = Number(/pid (\d+)/.exec(up.stderr)?.[1]);

    const down = await cli(stateDir, 'down');
    expect(down.stderr).toMatch(/stopped pid \d+ \(fast shutdown\)/);
    expect(isAlive(pid)).toBe(false);
    expect((await cli(stateDir, 'status')).code).toBe(1);

    const back = await cli(stateDir, 'up');
    expect(back.stdout).toBe(up.stdout); // same port again
    const c2 = new pg.Client({ connectionString: url });
    await c2.connect();
    expect((await c2.query('SELECT x FROM kept')).rows).toEqual([{ x: 7 }]);
    await c2.end();
  });

  it('explains its usage', async () => {
    const r = await cli(stateDir, 'sideways');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/usage: postgres <up\|down\|status\|install>/);
  });
});
