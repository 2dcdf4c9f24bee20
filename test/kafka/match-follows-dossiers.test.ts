// `facestream stage match` (its own process, no --watchlist) learns its watch lists from the `dossiers` topic: a
// person enrolled before it started (identity store in PGlite, the outbox relay publishing to the real broker) is
// matched in the events it writes to `matches`, through both her watch lists, then through the one whose threshold
// she still passes once the other's is raised, then not at all; unmatched too under her camera's threshold (a
// `cameras` record); once the face is deleted, a later embedding of the same person is unmatched.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { Kafka } from 'kafkajs';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FaceService } from '../../api/photos/face-service.ts';
import { testFaces } from '../../api/testing.ts';
import { startKafkaDossierPublisher } from '../../enrolment/watchlist-sync/kafka-publisher.ts';
import { startOutboxRelay, type OutboxRelay } from '../../enrolment/watchlist-sync/outbox-relay.ts';
import type { DossierPublisher } from '../../enrolment/watchlist-sync/publisher.ts';
import type { FaceModels } from '../../models/face-models.types.ts';
import { readPhoto } from '../../models/image/read-photo.ts';
import { deepfacePath } from '../../models/testing/deepface.ts';
import { topicCodecs } from '../../pipelines/runtime/kafka/wire.ts';
import { faceEmbedding, facePost } from '../../pipelines/runtime/testing/records.ts';
import type { CameraJob, FaceEmbedding as AvroFaceEmbedding, FaceEvent } from '../../schemas/generated/avro-types.ts';
import { camerasTopicName } from '../../pipelines/cameras/kafka-jobs/cameras-topic.ts';
import { startSchemaRegistry, type SchemaRegistryServer } from '../../schemas/registry/server.ts';
import { createTopicSerde, type TopicSerde } from '../../schemas/serde/topic-serde.ts';
import type { Db } from '../../stores/postgres/db.ts';
import { openDatabase } from '../../stores/postgres/open.ts';
import { createDossierFace, deleteDossierFace } from '../../stores/postgres/repositories/dossier-faces.ts';
import { createDossier } from '../../stores/postgres/repositories/dossiers.ts';
import { createWatchList, updateWatchList } from '../../stores/postgres/repositories/watch-lists.ts';
import { REPO } from '../paths.ts';
import { kafkaBrokers, uniqueTopic } from '../support/kafka.ts';

const logger = pino({ level: 'silent' });
const CAMERA = 'cam-dossiers';

describe('stage match follows the dossiers topic (real broker)', () => {
  let models: FaceModels;
  let faces: FaceService;
  let registry: SchemaRegistryServer;
  let serde: TopicSerde;
  let kafka: Kafka;
  let db: Db;
  let publisher: DossierPublisher;
  let relay: OutboxRelay;
  const prefix = `${uniqueTopic('match-dossiers')}.`;
  const probe = async (file: string) => (await faces.probe(await readPhoto(deepfacePath(file)), file)).vector;

  beforeAll(async () => {
    ({ models, faces } = await testFaces());
    registry = await startSchemaRegistry({ port: 0 });
    serde = createTopicSerde({ registryUrl: registry.url, topicPrefix: prefix, logger });
    await serde.registerAll();
    kafka = new Kafka({ clientId: 'match-dossiers-test', brokers: await kafkaBrokers(), logLevel: 0 });
    ({ db } = await openDatabase());
    publisher = await startKafkaDossierPublisher({ kafka, serde, topicPrefix: prefix });
    relay = await startOutboxRelay({ db, publisher, logger });
  });
  afterAll(async () => {
    await relay?.stop();
    await publisher?.close();
    await db?.close();
    await registry?.close();
    await models?.close();
  });

  it('matches a person enrolled before it started, by her lists\' and her camera\'s thresholds, and no longer once the face is deleted', async () => {
    const list = await createWatchList(db, { name: 'wanted' });
    const visitors = await createWatchList(db, { name: 'visitors' });
    const anna = await createDossier(db, { name: 'Anna', watch_list_ids: [list.id, visitors.id] });
    const face = await createDossierFace(db, { dossier_id: anna.id, model_id: faces.modelId, embedding: await probe('img1.jpg'), quality: -1, bbox: { left: 0, top: 0, right: 10, bottom: 10 } });
    await relay.flush();

    const child = spawn(process.execPath, [join(REPO, 'bin/facestream.js'), 'stage', 'match', '--topology', 'distributed', '--log-level', 'info'], {
      cwd: REPO,
      env: { ...process.env, KAFKA_BROKERS: (await kafkaBrokers()).join(','), SCHEMA_REGISTRY_URL: registry.url, FACESTREAM_TOPIC_PREFIX: prefix },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (out += c));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    const consumer = kafka.consumer({ groupId: uniqueTopic('match-dossiers-reader') });
    try {
      await expect.poll(() => out, { timeout: 60_000, interval: 200 }).toMatch(/dossiers records read, 1 faces indexed/);
      // the process creates its topics only after that: subscribing or sending before would race their creation
      await expect.poll(() => out, { timeout: 60_000, interval: 200 }).toMatch(/stage consuming/);

      const events: FaceEvent[] = [];
      await consumer.connect();
      await consumer.subscribe({ topic: `${prefix}matches`, fromBeginning: true });
      await consumer.run({ eachMessage: async ({ message }) => void events.push(await serde.decodeValue('matches', message.value!)) });
      const producer = kafka.producer();
      await producer.connect();
      const codec = topicCodecs({ format: 'jpeg', jpegQuality: 90, cropJpegQuality: 95, frameMaxWidth: 1280 }).embeddings;
      const send = async (postNo: number, vector: Float32Array) => {
        const embedding = { ...faceEmbedding(facePost({ camera: CAMERA, postNo, t: postNo }), vector), modelId: faces.modelId };
        await producer.send({ topic: `${prefix}embeddings`, messages: [{ key: serde.encodeKey('embeddings', CAMERA), value: serde.encodeValue('embeddings', (await codec.toWire(embedding)) as AvroFaceEmbedding) }] });
      };
      try {
        // another photo of Anna
        await send(1, await probe('img2.jpg'));
        await expect.poll(() => events.length, { timeout: 60_000 }).toBe(1);
        expect(events[0]).toMatchObject({ matched: true, dossier: String(anna.id) });
        const both = [String(list.id), String(visitors.id)];
        expect(events[0]!.candidates[0]).toMatchObject({ dossierFace: String(face.id), watchList: String(list.id), watchLists: both, matchedWatchLists: both });
        /** another photo of Anna every 300 ms until the process's event satisfies `ok` (changes apply as they come) */
        const sendUntil = async (what: string, ok: (e: FaceEvent) => boolean) => {
          for (let tries = 0; !ok(events.at(-1)!); tries++) {
            expect(tries, `${what}: not after 10 embeddings`).toBeLessThan(10);
            await new Promise((r) => setTimeout(r, 300));
            const n = events.length;
            await send(n + 1, await probe('img2.jpg'));
            await expect.poll(() => events.length, { timeout: 60_000 }).toBe(n + 1);
          }
        };

        await updateWatchList(db, list.id, { confidence_threshold: 0.99 });
        await relay.flush();
        await sendUntil('matched through visitors only', (e) => e.matched && e.candidates[0]!.matchedWatchLists.join() === String(visitors.id));
        await updateWatchList(db, visitors.id, { confidence_threshold: 0.99 });
        await relay.flush();
        await sendUntil('unmatched under both thresholds', (e) => !e.matched);
        await updateWatchList(db, list.id, { confidence_threshold: null });
        await updateWatchList(db, visitors.id, { confidence_threshold: null });
        await relay.flush();
        await sendUntil('matched again', (e) => e.matched);

        // the camera's threshold (else its group's), as the camera relay publishes it on `cameras`
        const cameraJob = (confidenceThreshold: number | null, version: number): CameraJob => ({ cameraId: CAMERA, name: CAMERA, url: 'rtsp://203.0.113.5/s', enabled: true, version, fps: null, group: '1', confidenceThreshold, settings: {}, restarts: 0 });
        const publishJob = (job: CameraJob) =>
          producer.send({ topic: camerasTopicName(prefix), acks: -1, messages: [{ key: serde.encodeKey('cameras', CAMERA), value: serde.encodeValue('cameras', job) }] });
        await publishJob(cameraJob(0.99, 1));
        await sendUntil('unmatched under the camera\'s threshold', (e) => !e.matched);
        await publishJob(cameraJob(null, 2));
        await sendUntil('matched once the camera inherits again', (e) => e.matched);

        await deleteDossierFace(db, face.id);
        await relay.flush();
        // the tombstone is on the topic: the process applies it as it comes, so a later embedding is unmatched
        await sendUntil('unmatched once deleted', (e) => !e.matched);
        expect(events.at(-1)).toMatchObject({ matched: false, dossier: null });
      } finally {
        await producer.disconnect();
      }
    } finally {
      await consumer.disconnect();
      child.kill('SIGTERM');
      await exited;
    }
  });
});
