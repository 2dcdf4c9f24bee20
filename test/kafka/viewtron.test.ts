// The viewtron topology over the real broker: the receiver process (receiver + embed) and the match process run as
// `facestream stage viewtron|match --topology viewtron` runs them; a pushed photo of an enrolled person reaches the
// matches topic as an event naming the dossier, with the device's attributes across the Avro wire.
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
import { KEEPALIVES, b64, cameraCrop, nvrFacePush } from '../../pipelines/viewtron/testing/pushes.ts';
import { push } from '../../pipelines/viewtron/testing/client.ts';
import type { FaceEvent } from '../../schemas/generated/avro-types.ts';
import { startSchemaRegistry, type SchemaRegistryServer } from '../../schemas/registry/server.ts';
import { createTopicSerde } from '../../schemas/serde/topic-serde.ts';
import { startKafkaProcess, type RunningProcess } from '../../topologies/build-kafka.ts';
import { TOPOLOGIES } from '../../topologies/registry.ts';
import { FACE_PHOTO } from '../paths.ts';
import { kafkaBrokers, uniqueTopic } from '../support/kafka.ts';
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
  afterAll(async () => {
    await Promise.all(processes.map((p) => p.stop()));
    await run?.models.close();
    await registry?.close();
  });

  it('a pushed face reaches the matches topic identified, device attributes on it', async () => {
    const { config } = run;
    const serde = createTopicSerde({ registryUrl: config.kafka.schema_registry_url, topicPrefix: config.kafka.topic_prefix, logger });
    await serde.registerAll();
    const kafka = createKafkaClient({ brokers: config.kafka.brokers, clientId: 'viewtron-test', logger });
    const start = (process: string, deps: Parameters<typeof startKafkaProcess>[0]['deps']) =>
      startKafkaProcess({ spec: TOPOLOGIES['viewtron']!, process, instance: '0', config, kafka, serde, deps, logger, registry: new Registry(), clock: systemClock });
    // as `facestream stage`: the receiver's process has the models and no watch list, match the watch list only
    processes.push(await start('viewtron', { config, models: run.models, index: createExactFaceIndex(watchListFromFaces([])) }));
    processes.push(await start('match', { config, index: run.index }));
    await vi.waitFor(async () => expect(await push(port, KEEPALIVES.nvr)).toMatchObject({ status: 200 }), { timeout: 30_000, interval: 200 });

    const photo = await readPhoto(FACE_PHOTO('img21.jpg'));
    const box = subjectFace(await run.models.detect(photo))!.box;
    const body = nvrFacePush({ channel: 5, faces: [{ targetId: 40, crop: b64(await cameraCrop(photo, box)), attributes: { age: 'youth', sex: 'female', glasses: 'yes', mask: 'no' } }] });
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
});
