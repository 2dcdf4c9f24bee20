// vitest globalSetup: one PostgreSQL server shared by the whole `vitest run`, started lazily by the first test that
// asks for it (test/support/postgres.ts), so runs that need no PostgreSQL start no server. Setup only makes a run
// directory and tells the test processes about it; teardown stops the server if one was started. The server is owned
// by this (the main vitest) process: it outlives each test file's worker, and its watchdog stops it if vitest itself
// is killed. TEST_DATABASE_URL=postgres://… in the environment: use that server (it must allow CREATE DATABASE), start
// none.
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { isAlive } from '../../infra/local-service/process.ts';
import { isPostgresProcess, stopPostgresPid } from '../../infra/postgres/server.ts';

export type SharedPostgres =
  | { readonly kind: 'external'; readonly url: string }
  | { readonly kind: 'lazy'; readonly runDir: string; readonly ownerPid: number };

/** Written in the run directory by the test process that started the shared server. */
export interface SharedPostgresState {
  readonly url: string;
  readonly pid: number;
  readonly dir: string;
}
export const SHARED_STATE_FILE = 'server.json';

declare module 'vitest' {
  export interface ProvidedContext {
    facestreamPostgres: SharedPostgres;
  }
}

export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  const external = process.env['TEST_DATABASE_URL'];
  if (external) {
    project.provide('facestreamPostgres', { kind: 'external', url: external });
    return undefined;
  }
  await sweepDeadRuns();
  const runDir = await mkdtemp(join(tmpdir(), `${RUN_PREFIX}${process.pid}-`));
  project.provide('facestreamPostgres', { kind: 'lazy', runDir, ownerPid: process.pid });
  return async () => {
    const state = await readSharedState(runDir);
    if (state && isPostgresProcess(state.pid, state.dir)) await stopPostgresPid(state.pid);
    if (state) await rm(state.dir, { recursive: true, force: true });
    await rm(runDir, { recursive: true, force: true });
  };
}

const RUN_PREFIX = 'facestream-pg-run-';

/**
 * A run killed before its teardown leaves its small run directory behind; the server's watchdog has already stopped
 * the postmaster and removed its cluster. Remove those of runs whose vitest process is gone.
 */
async function sweepDeadRuns(): Promise<void> {
  for (const name of await readdir(tmpdir())) {
    const pid = name.startsWith(RUN_PREFIX) ? Number.parseInt(name.slice(RUN_PREFIX.length), 10) : NaN;
    if (Number.isInteger(pid) && pid > 0 && !isAlive(pid)) await rm(join(tmpdir(), name), { recursive: true, force: true });
  }
}

export async function readSharedState(runDir: string): Promise<SharedPostgresState | undefined> {
  try {
    return JSON.parse(await readFile(join(runDir, SHARED_STATE_FILE), 'utf8')) as SharedPostgresState;
  } catch {
    return undefined;
  }
}
