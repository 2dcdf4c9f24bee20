// The viewtron topology over the real broker: the receiver process (receiver + embed) and the match process run as
// `facestream stage viewtron|match --topology viewtron` runs them; a pushed photo of an enrolled person reaches the
// matches topic as an event naming the dossier, with the device's attributes across the Avro wire. And a device is
// told success only once the broker has its faces: with the broker paused it gets the failure reply (to retry).
import { copyFile, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createRunContext, type RunContext } from '../../cli/context.ts';
import { freePorts } from '../../infra/local-service/ports.ts';
import { createKafkaClient } from '../../cli/kafka-client.ts';
import { readPhoto } from '../../models/image/read-photo.ts';
import { subjectFace } from '../../models/testing/deepface.ts';
import { createExactFaceIndex, watchListFromFaces } from '../../pipelines/match/index.ts';
import { systemClock } from '../../pipelines/runtime/stage.ts';
import { FAILURE_BODY, SUCCESS_BODY } from '../../pipelines/viewtron/index.ts';
import { KEEPALIVES, b64, cameraCrop, ipcFacePush, nvrFacePush } from '../../pipelines/viewtron/testing/pushes.ts';
import { push } from '../../pipelines/viewtron/testing/client.ts';
import type { FaceEvent, FacePost } from '../../schemas/generated/avro-types.ts';
import { startSchemaRegistry, type SchemaRegistryServer } from '../../schemas/registry/server.ts';
import { createTopicSerde } from '../../schemas/serde/topic-serde.ts';
import { startKafkaProcess, type RunningProcess } from '../../topologies/build-kafka.ts';
import { TOPOLOGIES } from '../../topologies/registry.ts';
import { FACE_PHOTO } from '../paths.ts';
import { kafkaBrokers, ownKafka, uniqueTopic, type KafkaBroker } from '../support/kafka.ts';
import { readUntil } from '../support/topic-reader.ts';

const logger = pino({ level: 'silent' });

describe('viewtron topology (real broker)', () => {
  let registry: SchemaRegistryServer;
  let run: RunContext;
  let port: number;
  const processes: RunningProcess[] = [];

  beforeAll(async () => {
    const brokers = await kafkaBrokers();
    registry = await startSchemaRegistry({ port: 0 });
    [port] = (await freePorts(1)) as [number];
    const watchlist = await mkdtemp(join(tmpdir(), 'fs-vtk-'));
    await copyFile(FACE_PHOTO('img20.jpg'), join(watchlist, 'person-a.jpg'));
    run = await createRunContext({
      watchlistDir: watchlist,
      overrides: {
        runtime: { model_workers: 0 },
        kafka: { brokers, schema_registry_url: registry.url, topic_prefix: `${uniqueTopic('vt')}.` },
        viewtron: { host: '127.0.0.1', port },
      },
      onRejected: (m) => expect.fail(m),
    });
  }, 120_000);
  let broker: KafkaBroker | undefined;
  afterAll(async () => {
    await Promise.all(processes.map((p) => p.stop()));
    await broker?.stop();
    await run?.models.close();
    await registry?.close();
  });

  /** A client, serde and process starter on `config`'s broker and registry. */
  async function onBroker(config: RunContext['config']) {
    const serde = createTopicSerde({ registryUrl: config.kafka.schema_registry_url, topicPrefix: config.kafka.topic_prefix, logger });
    await serde.registerAll();
    const kafka = createKafkaClient({ brokers: config.kafka.brokers, clientId: 'viewtron-test', logger });
    const start = async (process: string, deps: Parameters<typeof startKafkaProcess>[0]['deps']) => {
      const running = await startKafkaProcess({ spec: TOPOLOGIES['viewtron']!, process, instance: '0', config, kafka, serde, deps, logger, registry: new Registry(), clock: systemClock });
      processes.push(running);
      return running;
    };
    // as `facestream stage`: the receiver's process has the models and no watch list
    const startReceiver = () => start('viewtron', { config, models: run.models, index: createExactFaceIndex(watchListFromFaces([])) });
    return { serde, kafka, start, startReceiver };
  }

  async function cropOf(file: string): Promise<string> {
    const photo = await readPhoto(FACE_PHOTO(file));
    return b64(await cameraCrop(photo, subjectFace(await run.models.detect(photo))!.box));
  }

  it('a pushed face reaches the matches topic identified, device attributes on it', async () => {
    const { config } = run;
    const { serde, kafka, start, startReceiver } = await onBroker(config);
    await startReceiver();
    await start('match', { config, index: run.index });
    await vi.waitFor(async () => expect(await push(port, KEEPALIVES.nvr)).toMatchObject({ status: 200 }), { timeout: 30_000, interval: 200 });

    const body = nvrFacePush({ channel: 5, faces: [{ targetId: 40, crop: await cropOf('img21.jpg'), attributes: { age: 'youth', sex: 'female', glasses: 'yes', mask: 'no' } }] });
    expect(await push(port, body)).toMatchObject({ status: 200 });

    const [record] = await readUntil(kafka, `${config.kafka.topic_prefix}matches`, serde, (records) => records.length >= 1, 90_000);
    const event = record!.value as FaceEvent;
    expect(record!.key).toBe('viewtron-001122334466-ch5');
    expect(event).toMatchObject({
      matched: true,
      dossier: 'person-a',
      embedding: {
        post: {
          camera: 'viewtron-001122334466-ch5',
          postType: 'overall',
          crop: null,
          device: { vendor: 'viewtron', eventType: 'videoFaceDetect', deviceName: 'Main NVR', targetId: '40', age: 'youth', sex: 'female', glasses: 'yes', mask: 'no' },
        },
      },
    });
  }, 180_000);

  it('the device is answered success only once the broker has its faces: a paused broker gets it the failure reply, and its retry lands', async () => {
    broker = await ownKafka();
    const [own] = (await freePorts(1)) as [number];
    const config = { ...run.config, kafka: { ...run.config.kafka, brokers: broker.brokers }, viewtron: { ...run.config.viewtron, port: own, handoff_timeout_ms: 3_000 } };
    const { serde, kafka, startReceiver } = await onBroker(config);
    await startReceiver();
    await vi.waitFor(async () => expect(await push(own, KEEPALIVES.empty)).toMatchObject({ status: 200 }), { timeout: 30_000, interval: 200 });
    const crop = await cropOf('img17.jpg');
    const body = ipcFacePush({ currentTime: '1767225605000000', faces: [{ targetId: 51, crop }] });

    // paused (SIGSTOP): the connection stays, nothing is acknowledged
    process.kill(broker.pid, 'SIGSTOP');
    try {
      expect(await push(own, body)).toMatchObject({ status: 503, body: FAILURE_BODY });
    } finally {
      process.kill(broker.pid, 'SIGCONT');
    }
    // the device sends it again: now taken, and the post is on the faces topic
    await vi.waitFor(async () => expect(await push(own, body)).toMatchObject({ status: 200, body: SUCCESS_BODY }), { timeout: 60_000, interval: 1_000 });
    const records = await readUntil(kafka, `${config.kafka.topic_prefix}faces`, serde, (rs) => rs.length >= 1, 60_000);
    const posts = records.map((r) => r.value as FacePost);
    // the paused push may land as well once the broker runs again: the same post (same track, same event id)
    expect(new Set(posts.map((p) => `${p.camera}/${p.trackId}`))).toEqual(new Set([`viewtron-001122334455/t51@${Date.UTC(2026, 0, 1, 0, 0, 5)}`]));
    expect(posts[0]).toMatchObject({ device: { eventType: 'VFD', targetId: '51' } });
  }, 180_000);
});
