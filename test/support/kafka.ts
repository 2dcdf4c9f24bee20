// A real Kafka broker for tests.
//
//   const brokers = await kafkaBrokers();   // the run's shared broker: started on first use, stopped after the run
//   const topic = uniqueTopic('detections'); // the shared broker outlives test files: never reuse a topic name
//
// Topics are not auto-created: create them (kafkajs admin.createTopics) as facestream's topology does.
// A test that stops or restarts its broker needs its own: `const broker = await ownKafka()` … `await broker.stop()`.
// KAFKA_BROKERS=host:port in the environment makes kafkaBrokers() use that broker instead.
import { randomBytes } from 'node:crypto';
import { rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { inject } from 'vitest';
import { isKafkaProcess, startKafka } from '../../infra/kafka/broker.ts';
import type { KafkaBroker, StartKafkaOptions } from '../../infra/kafka/broker.ts';
import { withDirLock } from '../../infra/local-service/lock.ts';
import { SHARED_STATE_FILE, readSharedState } from './kafka-global-setup.ts';
import type { SharedKafka, SharedKafkaState } from './kafka-global-setup.ts';

export type { KafkaBroker, StartKafkaOptions };

let shared: Promise<string[]> | undefined;

/** Bootstrap addresses of the broker this test run shares (e.g. ['127.0.0.1:40123']). */
export function kafkaBrokers(): Promise<string[]> {
  shared ??= sharedBrokers();
  return shared;
}

/** A broker of the calling test's own, e.g. to restart it. The caller stops it; it dies with the test process anyway. */
export function ownKafka(opts: StartKafkaOptions = {}): Promise<KafkaBroker> {
  return startKafka(opts);
}

/** A topic (or group) name no other test or earlier run uses. */
export function uniqueTopic(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}

async function sharedBrokers(): Promise<string[]> {
  // inject() is undefined when the globalSetup is not registered: fall back to a broker for this test file alone.
  const provided = inject('facestreamKafka') as SharedKafka | undefined;
  if (provided === undefined) return (await startKafka()).brokers;
  if (provided.kind === 'external') return provided.brokers;
  const { runDir, ownerPid } = provided;
  return withDirLock(join(runDir, 'start.lock'), async () => {
    const running = await readSharedState(runDir);
    if (running && isKafkaProcess(running.pid, running.dataDir)) return running.brokers;
    // Detached from this worker (the next test file runs in another one), owned by the main vitest process.
    const broker = await startKafka({ detached: true, ownerPid });
    const state: SharedKafkaState = { brokers: broker.brokers, pid: broker.pid, dataDir: broker.dataDir };
    const file = join(runDir, SHARED_STATE_FILE);
    await writeFile(`${file}.tmp`, JSON.stringify(state));
    await rename(`${file}.tmp`, file);
    return broker.brokers;
  });
}
