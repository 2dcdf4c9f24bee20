// The Kafka stage runner against the real broker and facestream's schema registry: poison records go to the
// dead-letter topic with their reason and coordinates, and the stage goes on with the next record.
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateOrThrow } from '../../../config/validate.ts';
import { createKafkaClient } from '../../../cli/kafka-client.ts';
import { startSchemaRegistry, type SchemaRegistryServer } from '../../../schemas/registry/server.ts';
import { createTopicSerde, type TopicSerde } from '../../../schemas/serde/topic-serde.ts';
import type { FaceEmbedding } from '../../../schemas/records.ts';
import { kafkaBrokers, uniqueTopic } from '../../../test/support/kafka.ts';
import { readUntil, readUntilEnd } from '../../../test/support/topic-reader.ts';
import { createExactFaceIndex, createMatchStage, MatchConfig, watchListFromFaces } from '../../match/index.ts';
import { systemClock, type Stage } from '../stage.ts';
import { basis, facePost, faceEmbedding } from '../testing/index.ts';
import { KafkaConfig } from './config.ts';
import { endOfStreamHeaders } from './control.ts';
import { DEAD_LETTER_TOPIC, kafkaNames } from './names.ts';
import { KafkaStageRunner } from './stage-runner.ts';
import { dataTopicConfig, ensureTopics } from './topics.ts';
import { topicCodecs } from './wire.ts';

const logger = pino({ level: 'error' });

describe('Kafka stage runner (real broker)', () => {
  let registry: SchemaRegistryServer;
  let serde: TopicSerde;
  let brokers: string[];
  const prefix = `${uniqueTopic('dlq')}.`;
  const names = kafkaNames(prefix);
  const config = validateOrThrow(KafkaConfig, { topic_prefix: prefix, topics: undefined }, 'kafka');

  beforeAll(async () => {
    brokers = await kafkaBrokers();
    registry = await startSchemaRegistry({ port: 0 });
    serde = createTopicSerde({ registryUrl: registry.url, topicPrefix: prefix, logger });
    await serde.registerAll();
  });
  afterAll(async () => {
    await registry?.close();
  });

  it('dead-letters a wrong magic byte, a truncated body, an unknown schema id and a record the stage throws on; the rest flows', async () => {
    const kafka = createKafkaClient({ brokers, clientId: 'dlq-test', logger });
    const admin = kafka.admin();
    await admin.connect();
    await ensureTopics(admin, (['embeddings', 'matches', DEAD_LETTER_TOPIC] as const).map((t) => dataTopicConfig(config, names, t)));
    await admin.disconnect();

    const codecs = topicCodecs({ format: 'jpeg', jpegQuality: 90, cropJpegQuality: 95, frameMaxWidth: 1280 });
    const crop = { left: 90, top: 90, image: { width: 8, height: 8, data: new Uint8Array(8 * 8 * 3).fill(128) } };
    const embedding = (camera: string, vector: Float32Array): FaceEmbedding => faceEmbedding({ ...facePost({ camera, trackId: `${camera}-1` }), crop }, vector);
    const encode = async (e: FaceEmbedding) => serde.encodeValue('embeddings', (await codecs.embeddings.toWire(e)) as never);
    const good = await encode(embedding('cam-a', basis(0)));
    const wrongDimension = await encode(embedding('cam-a', basis(0, 3)));
    const poison = {
      badMagic: Buffer.concat([Buffer.from([7]), good.subarray(1)]),
      truncated: good.subarray(0, Math.floor(good.length / 2)),
      unknownId: Buffer.concat([Buffer.from([0, 0x7f, 0xff, 0xff, 0xfe]), good.subarray(5)]),
    };
    const key = serde.encodeKey('embeddings', 'cam-a');
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic: names.topic('embeddings'),
      messages: [
        { key, value: poison.badMagic },
        { key, value: poison.truncated },
        { key, value: poison.unknownId },
        { key, value: wrongDimension },
        { key, value: good },
        { key, value: null, headers: endOfStreamHeaders() },
      ],
    });
    await producer.disconnect();

    const index = createExactFaceIndex(watchListFromFaces([{ id: 'p1', dossier: 'alice', watchList: 'default', vector: basis(0) }]));
    const stage = createMatchStage({ config: validateOrThrow(MatchConfig, { confidence_threshold: 0.39 }, 'match'), index }) as Stage<unknown, unknown>;
    const runner = new KafkaStageRunner({
      kafka,
      config,
      names,
      serde,
      stage,
      input: { topic: 'embeddings', codec: codecs.embeddings as never },
      output: { topic: 'matches', codec: codecs.matches as never },
      instance: '0',
      logger,
      registry: new Registry(),
      clock: systemClock,
    });
    const running = runner.run();
    const events = await readUntilEnd(kafka, names.topic('matches'), serde, ['cam-a'], { timeoutMs: 60_000 });
    const letters = await readUntil(kafka, names.topic(DEAD_LETTER_TOPIC), serde, (r) => r.length >= 4, 60_000);
    await runner.stop();
    await running;

    expect(events.map((e) => (e.value as { dossier: string }).dossier)).toEqual(['alice']);
    const dead = letters.map((l) => l.value as { errorKind: string; error: string; stage: string; sourceTopic: string; sourceOffset: number; value: Buffer });
    expect(dead.map((d) => [d.errorKind, d.stage, d.sourceTopic, d.sourceOffset])).toEqual([
      ['decode', 'match', names.topic('embeddings'), 0],
      ['decode', 'match', names.topic('embeddings'), 1],
      ['decode', 'match', names.topic('embeddings'), 2],
      ['process', 'match', names.topic('embeddings'), 3],
    ]);
    expect(dead[0]!.error).toMatch(/magic/i);
    expect(dead[1]!.error).toMatch(/truncat|short|end/i);
    expect(dead[2]!.error).toMatch(/schema|id/i);
    expect(dead[3]!.error).toMatch(/dimension/);
    expect(Buffer.compare(dead[1]!.value, poison.truncated)).toBe(0);
  });
});
