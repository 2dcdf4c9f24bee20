// Reads a facestream topic in a test from its start, once some process has created it.
import type { Consumer, Kafka } from 'kafkajs';
import { expect } from 'vitest';
import type { TopicSerde } from '../../schemas/serde/topic-serde.ts';
import { uniqueTopic } from '../support/kafka.ts';

/** Follows `topic` from its start, calling `onRecord` with each record's decoded key and value (null: a tombstone). */
export async function followTopic(kafka: Kafka, serde: TopicSerde, topic: string, onRecord: (key: string, value: unknown) => void): Promise<Consumer> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    // subscribing to a topic nobody has created yet hangs in kafkajs's metadata retries
    await expect.poll(async () => (await admin.listTopics()).includes(topic), { timeout: 60_000, interval: 250 }).toBe(true);
  } finally {
    await admin.disconnect();
  }
  const consumer = kafka.consumer({ groupId: uniqueTopic('test-reader'), allowAutoTopicCreation: false, maxWaitTimeInMs: 200 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      if (!message.key) return;
      onRecord(String(await serde.decode(message.key)), message.value ? await serde.decode(message.value) : null);
    },
  });
  return consumer;
}
