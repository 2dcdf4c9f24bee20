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

/**
 * Reads until every camera's end-of-stream marker has arrived: in its own partition on a topic keyed by camera,
 * in every partition (`everyPartition`) on a topic keyed otherwise (episodes), where a camera's records may be
 * anywhere.
 */
export async function readUntilEnd(kafka: Kafka, topic: string, serde: TopicSerde, cameras: readonly string[], opts: { everyPartition?: boolean; timeoutMs?: number } = {}): Promise<TopicRecord[]> {
  let partitions = 1;
  if (opts.everyPartition) {
    const admin = kafka.admin();
    await admin.connect();
    partitions = (await admin.fetchTopicMetadata({ topics: [topic] }).finally(() => admin.disconnect())).topics[0]?.partitions.length ?? 1;
  }
  const markers = new Map<string, Set<number>>();
  return readUntil(
    kafka,
    topic,
    serde,
    (_records, ended) => cameras.every((c) => ended.has(c) && (!opts.everyPartition || (markers.get(c)?.size ?? 0) >= partitions)),
    opts.timeoutMs,
    () => `no end of stream for ${cameras.join(', ')}`,
    (camera, partition) => markers.set(camera, (markers.get(camera) ?? new Set()).add(partition)),
  );
}

/** Reads `topic` from its start until `done(records, camerasEnded)` holds. */
export async function readUntil(
  kafka: Kafka,
  topic: string,
  serde: TopicSerde,
  done: (records: readonly TopicRecord[], ended: ReadonlySet<string>) => boolean,
  timeoutMs = 120_000,
  what = () => 'the expected records',
  onMarker: (camera: string, partition: number) => void = () => undefined,
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
            if (controlOf(message.headers) === END_OF_STREAM) {
              onMarker(String(key), partition);
              ended.add(String(key));
            }
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
