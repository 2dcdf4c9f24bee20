// Metrics the Kafka runtime adds to every stage's (runtime/metrics.ts): consumer lag, dead letters, commits.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export interface KafkaMetrics {
  consumerLag: Gauge<'stage' | 'topic' | 'partition'>;
  deadLetters: Counter<'stage' | 'kind'>;
  commitSeconds: Histogram<'stage'>;
  /** wall time from a record's append to the broker until its outputs are committed */
  recordAgeSeconds: Histogram<'stage'>;
}

export function createKafkaMetrics(registry: Registry): KafkaMetrics {
  return {
    consumerLag: new Gauge({
      name: 'facestream_consumer_lag',
      help: 'records behind the end of the input partition, as of the last batch',
      labelNames: ['stage', 'topic', 'partition'],
      registers: [registry],
    }),
    deadLetters: new Counter({ name: 'facestream_dead_letters_total', help: 'records sent to the dead-letter topic', labelNames: ['stage', 'kind'], registers: [registry] }),
    commitSeconds: new Histogram({
      name: 'facestream_commit_seconds',
      help: 'time to produce a batch’s outputs and commit its offsets (one transaction when exactly-once)',
      labelNames: ['stage'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    recordAgeSeconds: new Histogram({
      name: 'facestream_record_age_seconds',
      help: 'from a record’s broker timestamp to the commit of what the stage made of it',
      labelNames: ['stage'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    }),
  };
}
