// Every facestream producer is idempotent (the broker drops a retried duplicate) and keeps retrying while the
// broker is away (a restart must not lose records), with Kafka's own partitioner (murmur2 of the key bytes, as
// the Java client), so any Confluent client computes the same partition for a camera.
import { Partitioners, type ProducerConfig } from 'kafkajs';

export const PRODUCER_DEFAULTS = {
  idempotent: true,
  maxInFlightRequests: 1,
  createPartitioner: Partitioners.DefaultPartitioner,
  retry: { retries: Number.MAX_SAFE_INTEGER, initialRetryTime: 300, maxRetryTime: 10_000 },
} as const satisfies ProducerConfig;
