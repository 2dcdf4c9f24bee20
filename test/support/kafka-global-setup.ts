// vitest globalSetup: one Kafka broker shared by the whole `vitest run`, started lazily by the first test that asks
// for it (test/support/kafka.ts), so runs that need no Kafka start no JVM. Setup only makes a run directory and tells
// the test processes about it; teardown stops the broker if one was started. The broker is owned by this (the main
// vitest) process: it outlives each test file's worker, and its watchdog kills it if vitest itself is killed.
// KAFKA_BROKERS=host:port[,…] in the environment: use that broker, start none.
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { isKafkaProcess, stopKafkaPid } from '../../infra/kafka/broker.ts';
import { isAlive } from '../../infra/local-service/process.ts';

export type SharedKafka =
  | { readonly kind: 'external'; readonly brokers: string[] }
  | { readonly kind: 'lazy'; readonly runDir: string; readonly ownerPid: number };

/** Written in the run directory by the test process that started the shared broker. */
export interface SharedKafkaState {
  readonly brokers: string[];
  readonly pid: number;
  readonly dataDir: string;
}
export const SHARED_STATE_FILE = 'broker.json';

declare module 'vitest' {
  export interface ProvidedContext {
    facestreamKafka: SharedKafka;
  }
}

export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  const external = process.env['KAFKA_BROKERS'];
  if (external) {
    const brokers = external.split(',').map((b) => b.trim()).filter((b) => b !== '');
    project.provide('facestreamKafka', { kind: 'external', brokers });
    return undefined;
  }
  await sweepDeadRuns();
  const runDir = await mkdtemp(join(tmpdir(), `${RUN_PREFIX}${process.pid}-`));
  project.provide('facestreamKafka', { kind: 'lazy', runDir, ownerPid: process.pid });
  return async () => {
    const state = await readSharedState(runDir);
    if (state && isKafkaProcess(state.pid, state.dataDir)) await stopKafkaPid(state.pid);
    if (state) await rm(state.dataDir, { recursive: true, force: true });
    await rm(runDir, { recursive: true, force: true });
  };
}

const RUN_PREFIX = 'facestream-kafka-run-';

/**
 * A run killed before its teardown (Ctrl-C, SIGKILL) leaves its small run directory behind; the broker's watchdog has
 * already stopped the JVM and removed its data. Remove those of runs whose vitest process is gone.
 */
async function sweepDeadRuns(): Promise<void> {
  for (const name of await readdir(tmpdir())) {
    const pid = name.startsWith(RUN_PREFIX) ? Number.parseInt(name.slice(RUN_PREFIX.length), 10) : NaN;
    if (Number.isInteger(pid) && pid > 0 && !isAlive(pid)) await rm(join(tmpdir(), name), { recursive: true, force: true });
  }
}

export async function readSharedState(runDir: string): Promise<SharedKafkaState | undefined> {
  try {
    return JSON.parse(await readFile(join(runDir, SHARED_STATE_FILE), 'utf8')) as SharedKafkaState;
  } catch {
    return undefined;
  }
}
