// serve's own connection to the camera topics when KAFKA_BROKERS and SCHEMA_REGISTRY_URL are set (the camera jobs
// relay, the camera-status follower): a Kafka client and the topic serde with every schema registered.
import type { Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import { createKafkaClient } from '../../../cli/kafka-client.ts';
import { createTopicSerde, type TopicSerde } from '../../../schemas/serde/topic-serde.ts';
import type { KafkaConfig } from '../../runtime/kafka/config.ts';

/** undefined without a broker or a schema registry configured (serve runs the cameras itself then) */
export async function cameraKafkaOf(kafka: KafkaConfig, logger: Logger, clientName: string): Promise<{ readonly client: Kafka; readonly serde: TopicSerde } | undefined> {
  if (kafka.brokers.length === 0 || !kafka.schema_registry_url) return undefined;
  const serde = createTopicSerde({ registryUrl: kafka.schema_registry_url, topicPrefix: kafka.topic_prefix, logger, registerRetry: { attempts: kafka.max_retries + 1 } });
  await serde.registerAll();
  return { client: createKafkaClient({ brokers: kafka.brokers, clientId: `${kafka.client_id}-${clientName}`, logger }), serde };
}
