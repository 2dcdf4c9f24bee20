// Every facestream producer is idempotent (the broker drops a retried duplicate) and keeps retrying while the
// broker is away (a restart must not lose records), with Kafka's own partitioner (murmur2 of the key bytes, as
// the Java client, partitioner.ts), so any Confluent client computes the same partition for a camera.
import type { ProducerConfig } from 'kafkajs';
import { javaCompatiblePartitioner } from './partitioner.ts';

export const PRODUCER_DEFAULTS = {
  idempotent: true,
  maxInFlightRequests: 1,
  createPartitioner: javaCompatiblePartitioner,
  // The first retry comes soon: a transaction that begins while the coordinator still writes the previous one's
  // commit markers gets CONCURRENT_TRANSACTIONS, which clears within milliseconds (the Java producer retries it after
  // 20 ms); at 300 ms each such stall cost an exactly-once stage several % of its time. A broker that stays away
  // still gets retries doubling up to 10 s apart.
  retry: { retries: Number.MAX_SAFE_INTEGER, initialRetryTime: 25, maxRetryTime: 10_000 },
} as const satisfies ProducerConfig;
