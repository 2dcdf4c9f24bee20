// Runs a process whose stages start at a source (ingest) and whose last in-process topic(s) go to Kafka: the
// in-process graph with a tap per Kafka topic that produces each record and waits for the broker's ack (so a
// slow broker slows the source). When the source ends (a file finished) every Kafka output gets an
// end-of-stream marker for the camera, after everything the stages flushed.
import type { Kafka, Producer } from 'kafkajs';
import type { Logger } from 'pino';
import type { Topic } from '../../../topologies/names.ts';
import type { Tap } from '../inproc/run-graph.ts';
import { endOfStreamHeaders } from './control.ts';
import type { KafkaNames } from './names.ts';
import { PRODUCER_DEFAULTS } from './producer-defaults.ts';
import type { WireSerde } from './serde-port.ts';
import type { TopicCodec } from './wire.ts';

export interface KafkaOutlet {
  readonly topic: Topic;
  readonly codec: TopicCodec<unknown>;
}

export interface KafkaTaps {
  readonly taps: Partial<Record<Topic, Tap[]>>;
  /** connects the producer; call before the graph runs */
  connect(): Promise<void>;
  /** sends the end-of-stream marker of `camera` to every outlet */
  endOfStream(camera: string): Promise<void>;
  close(): Promise<void>;
}

export function kafkaTaps(kafka: Kafka, outlets: readonly KafkaOutlet[], names: KafkaNames, serde: WireSerde, logger: Logger): KafkaTaps {
  const producer: Producer = kafka.producer({ ...PRODUCER_DEFAULTS, allowAutoTopicCreation: false });
  const taps: Partial<Record<Topic, Tap[]>> = {};
  for (const { topic, codec } of outlets) {
    taps[topic] = [
      async (record) => {
        const key = serde.encodeKey(topic, codec.key(record));
        const value = serde.encodeValue(topic, await codec.toWire(record));
        await producer.send({ topic: names.topic(topic), acks: -1, messages: [{ key, value }] });
      },
    ];
  }
  let closed = false;
  return {
    taps,
    connect: () => producer.connect(),
    async endOfStream(camera) {
      for (const { topic } of outlets) {
        // a source's outlets are keyed by camera: the marker follows the camera's data in its partition
        await producer.send({ topic: names.topic(topic), acks: -1, messages: [{ key: serde.encodeKey(topic, camera), value: null, headers: endOfStreamHeaders() }] });
      }
      logger.info({ camera, topics: outlets.map((o) => o.topic) }, 'end of stream');
    },
    async close() {
      if (closed) return;
      closed = true;
      await producer.disconnect();
    },
  };
}
