// vitest globalSetup: one Kafka broker shared by the whole `vitest run`, started lazily by the first test that asks
// for it (test/support/kafka.ts), so runs that need no Kafka start no JVM. Setup only makes a run directory and tells
// the test processes about it; teardown stops the broker if one was started. The broker is owned by this (the main
// vitest) process: it outlives each test file's worker, and its watchdog kills it if vitest itself is killed.
// KAFKA_BROKERS=host:port[,…] in the environment: use that broker, start none. The mechanics:
// infra/local-service/shared-run.ts.
import type { TestProject } from 'vitest/node';
import { isKafkaProcess, stopKafkaPid } from '../../infra/kafka/broker.ts';
import { openSharedRun } from '../../infra/local-service/shared-run.ts';

export type SharedKafka =
  | { readonly kind: 'external'; readonly brokers: string[] }
  | { readonly kind: 'lazy'; readonly runDir: string; readonly ownerPid: number };

/** Written in the run directory by the test process that started the shared broker. */
export interface SharedKafkaState {
  readonly brokers: string[];
  readonly pid: number;
  readonly dataDir: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    facestreamKafka: SharedKafka;
  }
}

export const isSharedKafka = (s: SharedKafkaState): boolean => isKafkaProcess(s.pid, s.dataDir);

export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  const external = process.env['KAFKA_BROKERS'];
  if (external) {
    const brokers = external.split(',').map((b) => b.trim()).filter((b) => b !== '');
    project.provide('facestreamKafka', { kind: 'external', brokers });
    return undefined;
  }
  const { runDir, teardown } = await openSharedRun<SharedKafkaState>('facestream-kafka-run-', {
    isRunning: isSharedKafka,
    stop: (s) => stopKafkaPid(s.pid),
    dirOf: (s) => s.dataDir,
  });
  project.provide('facestreamKafka', { kind: 'lazy', runDir, ownerPid: process.pid });
  return teardown;
}
