// A relay's changes to a compacted Kafka topic (`dossiers`, `cameras`), through the topic serde (Confluent wire
// format, schemas in the registry) as every facestream producer. Acks from all in-sync replicas: publish()
// resolves only once the broker holds the records, and only then does the relay delete its rows.
import type { ITopicConfig, Kafka, Producer } from 'kafkajs';
import { PRODUCER_DEFAULTS } from '../../pipelines/runtime/kafka/producer-defaults.ts';
import { ensureTopics } from '../../pipelines/runtime/kafka/topics.ts';
import type { TopicValues } from '../../schemas/generated/avro-types.ts';
import type { TopicSerde } from '../../schemas/serde/topic-serde.ts';
import type { TopicName } from '../../schemas/topics.ts';
import { dossiersTopicConfig } from './dossiers-topic.ts';
import type { ChangePublisher, DossierPublisher, KeyedChange } from './publisher.ts';

export interface KafkaDossierPublisherOptions {
  readonly kafka: Kafka;
  /** registerAll() already done */
  readonly serde: TopicSerde;
  readonly topicPrefix: string;
}

/** the compacted topics a relay feeds (string keys) */
export type RelayedTopic = Extract<TopicName, 'dossiers' | 'cameras'>;

export interface KafkaTopicPublisherOptions<T extends RelayedTopic> {
  readonly kafka: Kafka;
  /** registerAll() already done */
  readonly serde: TopicSerde;
  readonly topic: T;
  /** created with this configuration unless it exists; its name is the Kafka topic's */
  readonly topicConfig: ITopicConfig;
}

export function startKafkaDossierPublisher(opts: KafkaDossierPublisherOptions): Promise<DossierPublisher> {
  return startKafkaTopicPublisher({ kafka: opts.kafka, serde: opts.serde, topic: 'dossiers', topicConfig: dossiersTopicConfig(opts.topicPrefix) });
}

export async function startKafkaTopicPublisher<T extends RelayedTopic>(opts: KafkaTopicPublisherOptions<T>): Promise<ChangePublisher<TopicValues[T]>> {
  const admin = opts.kafka.admin();
  await admin.connect();
  try {
    await ensureTopics(admin, [opts.topicConfig]);
  } finally {
    await admin.disconnect();
  }
  const topic = opts.topicConfig.topic;
  // Retries bounded (not PRODUCER_DEFAULTS' endless ones): the relay holds its database transaction while it
  // publishes, so a broker that is away must fail the round (the rows stay and the next round tries again) instead
  // of hanging it. Bounded retries void the idempotent producer's guarantee (kafkajs warns), and it is not needed:
  // with one request in flight nothing is reordered, and a duplicate is the same state of the same key again.
  const producer: Producer = opts.kafka.producer({ ...PRODUCER_DEFAULTS, idempotent: false, retry: { retries: 5, initialRetryTime: 300, maxRetryTime: 5_000 } });
  await producer.connect();
  let closing: Promise<void> | undefined;
  return {
    target: `kafka topic ${topic}`,
    async publish(changes: readonly KeyedChange<TopicValues[T]>[]): Promise<void> {
      if (changes.length === 0) return;
      await producer.send({
        topic,
        acks: -1,
        messages: changes.map((c) => ({
          key: opts.serde.encodeKey(opts.topic, c.key),
          value: c.value === null ? null : opts.serde.encodeValue(opts.topic, c.value),
        })),
      });
    },
    close(): Promise<void> {
      closing ??= producer.disconnect();
      return closing;
    },
  };
}
