// vitest globalSetup: one PostgreSQL server shared by the whole `vitest run`, started lazily by the first test that
// asks for it (test/support/postgres.ts), so runs that need no PostgreSQL start no server. Setup only makes a run
// directory and tells the test processes about it; teardown stops the server if one was started. The server is owned
// by this (the main vitest) process: it outlives each test file's worker, and its watchdog stops it if vitest itself
// is killed. TEST_DATABASE_URL=postgres://… in the environment: use that server (it must allow CREATE DATABASE), start
// none. The mechanics: infra/local-service/shared-run.ts.
import type { TestProject } from 'vitest/node';
import { openSharedRun } from '../../infra/local-service/shared-run.ts';
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

declare module 'vitest' {
  export interface ProvidedContext {
    facestreamPostgres: SharedPostgres;
  }
}

export const isSharedPostgres = (s: SharedPostgresState): boolean => isPostgresProcess(s.pid, s.dir);

export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  const external = process.env['TEST_DATABASE_URL'];
  if (external) {
    project.provide('facestreamPostgres', { kind: 'external', url: external });
    return undefined;
  }
  const { runDir, teardown } = await openSharedRun<SharedPostgresState>('facestream-pg-run-', {
    isRunning: isSharedPostgres,
    stop: async (s) => void (await stopPostgresPid(s.pid)),
    dirOf: (s) => s.dir,
  });
  project.provide('facestreamPostgres', { kind: 'lazy', runDir, ownerPid: process.pid });
  return teardown;
}
