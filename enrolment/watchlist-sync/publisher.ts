// Where an outbox relay publishes: a compacted Kafka topic (kafka-publisher.ts) or the subscribers in this process
// (inproc-publisher.ts).
import type { DossierFace } from '../../schemas/generated/avro-types.ts';

/** A record of a compacted topic: the key's latest state, or null (a tombstone) when nothing may hold the key. */
export interface KeyedChange<V> {
  readonly key: string;
  readonly value: V | null;
}

export interface ChangePublisher<V> {
  /** where, for logs: e.g. `kafka topic dossiers` */
  readonly target: string;
  /** Resolves once every change is durably accepted (Kafka: acknowledged by all in-sync replicas), in order per key. */
  publish(changes: readonly KeyedChange<V>[]): Promise<void>;
  /** Safe to call twice. */
  close(): Promise<void>;
}

/** Dossier-face changes, for matchers. */
export type DossierPublisher = ChangePublisher<DossierFace>;
