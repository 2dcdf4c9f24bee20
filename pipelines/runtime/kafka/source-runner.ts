// Runs a process whose stages start at a source (ingest) and whose last in-process topic(s) go to Kafka: the
// in-process graph with a tap per Kafka topic that produces each record and waits for the broker's ack (so a
// slow broker slows the source). A camera's idle marker that reaches a Kafka output goes on in the camera's
// partition, in order with its records. When the source ends (a file finished) every Kafka output gets an
// end-of-stream marker for the camera, after everything the stages flushed.
import type { Kafka, Producer } from 'kafkajs';
import type { Logger } from 'pino';
import type { Topic } from '../../../topologies/names.ts';
import type { MarkerTap } from '../inproc/run-graph.ts';
import { endOfStreamHeaders, idleHeaders } from './control.ts';
import type { KafkaNames } from './names.ts';
import { PRODUCER_DEFAULTS } from './producer-defaults.ts';
import type { WireSerde } from './serde-port.ts';
import type { TopicCodec } from './wire.ts';

export interface KafkaOutlet {
  readonly topic: Topic;
  readonly codec: TopicCodec<unknown>;
}

export interface KafkaTaps {
  readonly taps: Partial<Record<Topic, MarkerTap[]>>;
  /** connects the producer; call before the graph runs */
  connect(): Promise<void>;
  /** sends the end-of-stream marker of `camera` to every outlet */
  endOfStream(camera: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * A record the broker has not acknowledged after this long ends the source with an error, for its supervisor to
 * restart it (a file is then read again from its start, the tracker skipping the frames it has). The producer
 * retries a broker that is away for ever; but kafkajs's idempotent producer can stay wedged after a broker restart
 * (kafkajs#598: out-of-order sequence), and a camera stuck for ever is worse than one restarted.
 */
const SEND_DEADLINE_MS = 60_000;

async function withDeadline(send: Promise<unknown>, topic: Topic): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`a ${topic} record was not acknowledged by the broker within ${SEND_DEADLINE_MS / 1000} s; giving up so that the source is restarted`)), SEND_DEADLINE_MS);
  });
  try {
    await Promise.race([send, expired]);
  } finally {
    clearTimeout(timer);
  }
}

export function kafkaTaps(kafka: Kafka, outlets: readonly KafkaOutlet[], names: KafkaNames, serde: WireSerde, logger: Logger): KafkaTaps {
  const producer: Producer = kafka.producer({ ...PRODUCER_DEFAULTS, allowAutoTopicCreation: false });
  const taps: Partial<Record<Topic, MarkerTap[]>> = {};
  for (const { topic, codec } of outlets) {
    taps[topic] = [
      {
        record: async (record) => {
          const key = serde.encodeKey(topic, codec.key(record));
          const value = serde.encodeValue(topic, await codec.toWire(record));
          await withDeadline(producer.send({ topic: names.topic(topic), acks: -1, messages: [{ key, value }] }), topic);
        },
        idle: async ({ camera, ts }) => {
          const marker = { key: serde.encodeKey(topic, camera), value: null, headers: idleHeaders(ts) };
          await withDeadline(producer.send({ topic: names.topic(topic), acks: -1, messages: [marker] }), topic);
          logger.info({ camera, ts, topic }, 'camera idle');
        },
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
