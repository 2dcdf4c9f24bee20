// A real Kafka broker for tests.
//
//   const brokers = await kafkaBrokers();   // the run's shared broker: started on first use, stopped after the run
//   const topic = uniqueTopic('detections'); // the shared broker outlives test files: never reuse a topic name
//
// Topics are not auto-created: create them (kafkajs admin.createTopics) as facestream's topology does.
// A test that stops or restarts its broker needs its own: `const broker = await ownKafka()` … `await broker.stop()`.
// KAFKA_BROKERS=host:port in the environment makes kafkaBrokers() use that broker instead.
import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { startKafka } from '../../infra/kafka/broker.ts';
import type { KafkaBroker, StartKafkaOptions } from '../../infra/kafka/broker.ts';
import { sharedService } from '../../infra/local-service/shared-run.ts';
import { isSharedKafka } from './kafka-global-setup.ts';
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
  const state = await sharedService<SharedKafkaState>(runDir, isSharedKafka, async () => {
    // Detached from this worker (the next test file runs in another one), owned by the main vitest process.
    const broker = await startKafka({ detached: true, ownerPid });
    return { brokers: broker.brokers, pid: broker.pid, dataDir: broker.dataDir };
  });
  return state.brokers;
}
