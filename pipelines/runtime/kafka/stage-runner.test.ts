// The Kafka stage runner against the real broker and facestream's schema registry: poison records go to the
// dead-letter topic with their reason and coordinates, and the stage goes on with the next record.
import { Writable } from 'node:stream';
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
import { loadFaceModels } from '../../../models/face-models.ts';
import { readPhoto } from '../../../models/image/read-photo.ts';
import { deepfacePath } from '../../../models/testing/deepface.ts';
import { cropAround } from '../../track/post-crop.ts';
import { AttributesConfig, createEmbedStage, EmbedConfig } from '../../embed/index.ts';
import type { FacePost } from '../../../schemas/records.ts';
import type { Topic } from '../../../topologies/names.ts';
import { KafkaConfig } from './config.ts';
import { CONTROL_HEADER, endOfStreamHeaders, IDLE, idleHeaders } from './control.ts';
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

  /** Topics of a test's own (under a prefix of its own), registered, with what a runner over them needs. */
  async function ownTopics(label: string, topics: readonly Topic[]) {
    const prefix = `${uniqueTopic(label)}.`;
    const names = kafkaNames(prefix);
    const config = validateOrThrow(KafkaConfig, { topic_prefix: prefix }, 'kafka');
    const serde = createTopicSerde({ registryUrl: registry.url, topicPrefix: prefix, logger });
    await serde.registerAll();
    const kafka = createKafkaClient({ brokers, clientId: `${label}-test`, logger });
    const admin = kafka.admin();
    await admin.connect();
    const all: Array<Topic | typeof DEAD_LETTER_TOPIC> = [...topics, DEAD_LETTER_TOPIC];
    await ensureTopics(admin, all.map((t) => dataTopicConfig(config, names, t)));
    await admin.disconnect();
    const codecs = topicCodecs({ format: 'jpeg', jpegQuality: 90, cropJpegQuality: 95, frameMaxWidth: 1280 });
    return { names, config, serde, kafka, codecs };
  }

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
    const metrics = new Registry();
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
      registry: metrics,
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
    // what Prometheus scrapes from the stage (GET /metrics serves this registry)
    const text = await metrics.metrics();
    expect(text).toMatch(/facestream_dead_letters_total\{stage="match",kind="decode"\} 3/);
    expect(text).toMatch(/facestream_dead_letters_total\{stage="match",kind="process"\} 1/);
    expect(text).toMatch(/facestream_stage_records_in_total\{stage="match"\} 6/);
    expect(text).toMatch(/facestream_consumer_lag\{stage="match",topic="[^"]+",partition="\d"\} 0/);
    expect(text).toMatch(/facestream_commit_seconds_count\{stage="match"\} [1-9]/);
  });

  it('an idle marker goes on in order through a stage without an idle hook and reaches one with it as a call, in order; one without a ts is dead-lettered', async () => {
    const { names, config, serde, kafka, codecs } = await ownTopics('idle', ['embeddings', 'matches']);
    const key = serde.encodeKey('embeddings', 'cam-a');
    const value = serde.encodeValue('embeddings', (await codecs.embeddings.toWire(faceEmbedding(facePost({ camera: 'cam-a' }), basis(0)))) as never);
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic: names.topic('embeddings'),
      messages: [
        { key, value },
        { key, value: null, headers: idleHeaders(5_000) },
        { key, value },
        { key, value: null, headers: { [CONTROL_HEADER]: IDLE } }, // no ts: unreadable
        { key, value: null, headers: endOfStreamHeaders() },
      ],
    });
    await producer.disconnect();

    // embeddings → match (no idle hook) → matches → a stage that acts on idle
    const seen: string[] = [];
    const idler: Stage<unknown, unknown> = {
      name: 'idler',
      process: (records) => void seen.push(...records.map(() => 'event')),
      idle: (idle) => void seen.push(`idle ${idle.camera} ${idle.ts}`),
      endOfStream: (camera) => void seen.push(`end ${camera}`),
    };
    const match = createMatchStage({ config: validateOrThrow(MatchConfig, { confidence_threshold: 0.5 }, 'match'), index: createExactFaceIndex(watchListFromFaces([])) }) as Stage<unknown, unknown>;
    const runner = (stage: Stage<unknown, unknown>, input: 'embeddings' | 'matches', output: 'matches' | null) =>
      new KafkaStageRunner({ kafka, config, names, serde, stage, input: { topic: input, codec: codecs[input] as never }, output: output ? { topic: output, codec: codecs[output] as never } : null, instance: '0', logger, registry: new Registry(), clock: systemClock });
    const runners = [runner(match, 'embeddings', 'matches'), runner(idler, 'matches', null)];
    const running = runners.map((r) => r.run());
    for (let i = 0; i < 600 && !seen.includes('end cam-a'); i++) await new Promise((r) => setTimeout(r, 100));
    const letters = await readUntil(kafka, names.topic(DEAD_LETTER_TOPIC), serde, (r) => r.length >= 1, 60_000);
    for (const r of runners) await r.stop();
    await Promise.all(running);

    expect(seen).toEqual(['event', 'idle cam-a 5000', 'event', 'end cam-a']);
    expect(letters.map((l) => (l.value as { stage: string; errorKind: string }).stage + ' ' + (l.value as { errorKind: string }).errorKind)).toEqual(['idler decode']);
  });

  it('two instances of embed share the partitions of faces: each embeds the cameras of its partitions, together all', async () => {
    // topics of its own: the first test left poison records on `embeddings`
    const { names, config, serde, kafka, codecs } = await ownTopics('instances', ['faces', 'embeddings']);
    const models = await loadFaceModels({ detect: { min_score: 0.65, min_face_size: 0, tiling: false, tile_grid: 2 }, intraOpThreads: 1 });
    try {
      const photo = await readPhoto(deepfacePath('img1.jpg'));
      const face = (await models.detect(photo))[0]!;
      const crop = cropAround({ left: 0, top: 0, image: photo }, face.box);

      const assigned: Array<Set<number>> = [new Set(), new Set()];
      const runners = ['0', '1'].map((instance, i) => {
        // what each instance logs: its partition assignments
        const sink = new Writable({
          write(chunk: Buffer, _enc, done) {
            const line = JSON.parse(chunk.toString()) as { msg?: string; partitions?: number[] };
            if (line.msg === 'partitions assigned') assigned[i] = new Set(line.partitions);
            done();
          },
        });
        const stage = createEmbedStage({
          models,
          embed: validateOrThrow(EmbedConfig, {}, 'embed'),
          attributes: validateOrThrow(AttributesConfig, {}, 'attributes'),
        }) as Stage<unknown, unknown>;
        const registry = new Registry();
        const runner = new KafkaStageRunner({
          kafka,
          config,
          names,
          serde,
          stage,
          input: { topic: 'faces', codec: codecs.faces as never },
          output: { topic: 'embeddings', codec: codecs.embeddings as never },
          instance,
          logger: pino({ level: 'info' }, sink),
          registry,
          clock: systemClock,
        });
        return { runner, registry, running: runner.run() };
      });
      // both members in the group, the partitions split between them
      for (let i = 0; i < 300 && !(assigned[0]!.size > 0 && assigned[1]!.size > 0 && assigned[0]!.size + assigned[1]!.size === 4); i++) await new Promise((r) => setTimeout(r, 100));
      expect([...assigned[0]!, ...assigned[1]!].sort()).toEqual([0, 1, 2, 3]);

      const cameras = Array.from({ length: 8 }, (_, i) => `cam-${i}`);
      const posts: FacePost[] = cameras.flatMap((camera) => [1, 2].map((postNo) => ({ ...facePost({ camera, trackId: `${camera}-1`, postNo }), face, crop })));
      const producer = kafka.producer();
      await producer.connect();
      const messages = await Promise.all(posts.map(async (p) => ({ key: serde.encodeKey('faces', p.camera), value: serde.encodeValue('faces', (await codecs.faces.toWire(p)) as never) })));
      // one request each: a crop of this large photo is a few hundred KB
      for (const m of [...messages, ...cameras.map((c) => ({ key: serde.encodeKey('faces', c), value: null, headers: endOfStreamHeaders() }))]) {
        await producer.send({ topic: names.topic('faces'), messages: [m] });
      }
      await producer.disconnect();

      const embedded = await readUntilEnd(kafka, names.topic('embeddings'), serde, cameras, { timeoutMs: 90_000 });
      for (const r of runners) await r.runner.stop();
      await Promise.all(runners.map((r) => r.running));
      expect(embedded).toHaveLength(posts.length);
      const consumed = await Promise.all(runners.map(async (r) => (await r.registry.getSingleMetric('facestream_stage_records_in_total')!.get()).values.reduce((n, v) => n + v.value, 0)));
      // each instance consumed the posts (and markers) of the cameras in its partitions, none twice
      expect(consumed.every((n) => n > 0)).toBe(true);
      expect(consumed[0]! + consumed[1]!).toBe(posts.length + cameras.length);
    } finally {
      await models.close();
    }
  });
});
