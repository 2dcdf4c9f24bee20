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

export function readUntilEnd(kafka: Kafka, topic: string, serde: TopicSerde, cameras: readonly string[], timeoutMs = 120_000): Promise<TopicRecord[]> {
  return readUntil(kafka, topic, serde, (_records, ended) => cameras.every((c) => ended.has(c)), timeoutMs, () => `no end of stream for ${cameras.join(', ')}`);
}

/** Reads `topic` from its start until `done(records, camerasEnded)` holds. */
export async function readUntil(
  kafka: Kafka,
  topic: string,
  serde: TopicSerde,
  done: (records: readonly TopicRecord[], ended: ReadonlySet<string>) => boolean,
  timeoutMs = 120_000,
  what = () => 'the expected records',
): Promise<TopicRecord[]> {
  const consumer = kafka.consumer({ groupId: `reader-${randomUUID()}`, readUncommitted: false, allowAutoTopicCreation: false });
  const records: TopicRecord[] = [];
  const ended = new Set<string>();
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${topic}: ${what()} within ${timeoutMs} ms (${records.length} records read)`)), timeoutMs);
      consumer
        .run({
          eachMessage: async ({ message, partition }) => {
            const key = message.key ? await serde.decode(message.key) : null;
            if (controlOf(message.headers) === END_OF_STREAM) ended.add(String(key));
            else records.push({ key, value: message.value ? await serde.decode(message.value) : null, partition, offset: message.offset });
            if (done(records, ended)) {
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
