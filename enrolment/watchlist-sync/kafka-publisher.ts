// The relay's changes to the Kafka `dossiers` topic, keyed by dossier face id, through the topic serde (Confluent
// wire format, schemas in the registry) as every facestream producer. Acks from all in-sync replicas: publish()
// resolves only once the broker holds the records, and only then does the relay delete its rows.
import type { Kafka, Producer } from 'kafkajs';
import { PRODUCER_DEFAULTS } from '../../pipelines/runtime/kafka/producer-defaults.ts';
import type { TopicSerde } from '../../schemas/serde/topic-serde.ts';
import type { DossierFaceChange } from '../../pipelines/match/dossier-face-change.ts';
import { dossiersTopicName, ensureDossiersTopic } from './dossiers-topic.ts';
import type { DossierPublisher } from './publisher.ts';

export interface KafkaDossierPublisherOptions {
  readonly kafka: Kafka;
  /** registerAll() already done */
  readonly serde: TopicSerde;
  readonly topicPrefix: string;
}

export async function startKafkaDossierPublisher(opts: KafkaDossierPublisherOptions): Promise<DossierPublisher> {
  const admin = opts.kafka.admin();
  await admin.connect();
  try {
    await ensureDossiersTopic(admin, opts.topicPrefix);
  } finally {
    await admin.disconnect();
  }
  const topic = dossiersTopicName(opts.topicPrefix);
  // Retries bounded (not PRODUCER_DEFAULTS' endless ones): the relay holds its database transaction while it
  // publishes, so a broker that is away must fail the round (the rows stay and the next round tries again) instead
  // of hanging it. Bounded retries void the idempotent producer's guarantee (kafkajs warns), and it is not needed:
  // with one request in flight nothing is reordered, and a duplicate is the same state of the same face again.
  const producer: Producer = opts.kafka.producer({ ...PRODUCER_DEFAULTS, idempotent: false, retry: { retries: 5, initialRetryTime: 300, maxRetryTime: 5_000 } });
  await producer.connect();
  let closing: Promise<void> | undefined;
  return {
    target: `kafka topic ${topic}`,
    async publish(changes: readonly DossierFaceChange[]): Promise<void> {
      if (changes.length === 0) return;
      await producer.send({
        topic,
        acks: -1,
        messages: changes.map((c) => ({
          key: opts.serde.encodeKey('dossiers', c.key),
          value: c.value === null ? null : opts.serde.encodeValue('dossiers', c.value),
        })),
      });
    },
    close(): Promise<void> {
      closing ??= producer.disconnect();
      return closing;
    },
  };
}
