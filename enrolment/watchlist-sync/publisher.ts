// Where the outbox relay publishes dossier-face changes: the Kafka `dossiers` topic (kafka-publisher.ts) or the
// subscribers in this process (inproc-publisher.ts).
import type { DossierFaceChange } from '../../pipelines/match/dossier-face-change.ts';

export interface DossierPublisher {
  /** where, for logs: e.g. `kafka topic dossiers` */
  readonly target: string;
  /** Resolves once every change is durably accepted (Kafka: acknowledged by all in-sync replicas), in order per key. */
  publish(changes: readonly DossierFaceChange[]): Promise<void>;
  /** Safe to call twice. */
  close(): Promise<void>;
}
