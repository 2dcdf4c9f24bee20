// Reads what a facestream topic holds, as a downstream consumer would (read_committed), until every camera's
// end-of-stream marker has arrived, and decodes it with the topic's Avro schema.
import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import { controlOf, END_OF_STREAM } from '../../pipelines/runtime/kafka/control.ts';
import type { TopicSerde } from '../../schemas/serde/topic-serde.ts';

export interface TopicRecord {
  readonly key: unknown;
  readonly value: unknown;
  readonly partition: number;
  readonly offset: string;
}

export async function readUntilEnd(kafka: Kafka, topic: string, serde: TopicSerde, cameras: readonly string[], timeoutMs = 120_000): Promise<TopicRecord[]> {
  const consumer = kafka.consumer({ groupId: `reader-${randomUUID()}`, readUncommitted: false, allowAutoTopicCreation: false });
  const records: TopicRecord[] = [];
  const ended = new Set<string>();
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${topic}: no end of stream for ${cameras.filter((c) => !ended.has(c)).join(', ')} within ${timeoutMs} ms (${records.length} records read)`)), timeoutMs);
      consumer
        .run({
          eachMessage: async ({ message, partition }) => {
            const key = message.key ? await serde.decode(message.key) : null;
            if (controlOf(message.headers) === END_OF_STREAM) ended.add(String(key));
            else records.push({ key, value: message.value ? await serde.decode(message.value) : null, partition, offset: message.offset });
            if (cameras.every((c) => ended.has(c))) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
  return records;
}
