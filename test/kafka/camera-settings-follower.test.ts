// Stage processes learn per-camera settings from the compacted `cameras` topic on the real broker: a follower reads
// the jobs already there before it is ready, applies a setting published later while it runs, refuses a job with bad
// settings (the camera keeps what it had), and falls back to the global settings on a tombstone.
import { pino } from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildConfig } from '../../config/load.ts';
import { modelThresholdDefaults } from '../../config/model-defaults.ts';
import { createKafkaClient } from '../../cli/kafka-client.ts';
import { startKafkaTopicPublisher } from '../../enrolment/watchlist-sync/kafka-publisher.ts';
import type { ChangePublisher } from '../../enrolment/watchlist-sync/publisher.ts';
import type { DossiersFollower } from '../../enrolment/watchlist-sync/kafka-follower.ts';
import { camerasTopicConfig } from '../../pipelines/cameras/kafka-jobs/cameras-topic.ts';
import { followCameraSettings } from '../../pipelines/cameras/settings-follower.ts';
import { jobSettingsOf } from '../../pipelines/cameras/settings.ts';
import { createCameraSettingsView } from '../../pipelines/cameras/settings-view.ts';
import type { CameraJob } from '../../schemas/generated/avro-types.ts';
import { startSchemaRegistry, type SchemaRegistryServer } from '../../schemas/registry/server.ts';
import { createTopicSerde } from '../../schemas/serde/topic-serde.ts';
import { kafkaBrokers, uniqueTopic } from '../support/kafka.ts';

const logger = pino({ level: 'silent' });
const prefix = `${uniqueTopic('camset')}.`;
const global = buildConfig(modelThresholdDefaults());
let registry: SchemaRegistryServer;
let publisher: ChangePublisher<CameraJob>;
let follower: DossiersFollower | undefined;
const view = createCameraSettingsView(global);

const job = (cameraId: string, version: number, settings: Record<string, unknown>): CameraJob => ({
  cameraId,
  name: cameraId,
  url: 'rtsp://203.0.113.5/stream1',
  enabled: true,
  version,
  fps: null,
  group: '1',
  confidenceThreshold: null,
  settings: jobSettingsOf(settings),
  restarts: 0,
});

async function until(what: string, ok: () => boolean): Promise<void> {
  for (const deadline = Date.now() + 20_000; !ok(); ) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  registry = await startSchemaRegistry({ port: 0 });
  const serde = createTopicSerde({ registryUrl: registry.url, topicPrefix: prefix, logger });
  await serde.registerAll();
  const kafka = createKafkaClient({ brokers: await kafkaBrokers(), clientId: 'camera-settings-test', logger });
  publisher = await startKafkaTopicPublisher({ kafka, serde, topic: 'cameras', topicConfig: camerasTopicConfig(prefix) });
  // published before the follower starts: read from the beginning before it is ready
  await publisher.publish([{ key: 'lobby', value: job('lobby', 1, { roi: '320x180+0+0', imotion_threshold: 0.002 }) }]);
  follower = await followCameraSettings(view, { kafka, serde, topicPrefix: prefix, logger });
}, 60_000);
afterAll(async () => {
  await follower?.stop();
  await publisher?.close();
  await registry?.close();
});

it('applies the jobs on the topic, then each later change, refusing bad settings and forgetting deleted cameras', async () => {
  await follower!.ready;
  expect(view.get('lobby').stream).toMatchObject({ roi: '320x180+0+0', imotion_threshold: 0.002 });
  expect(view.get('lobby').ingest.imotion_threshold).toBe(0.002);

  await publisher.publish([{ key: 'lobby', value: job('lobby', 2, { roi: '160x90+0+0', alert_mode: 'on_unknowns' }) }]);
  await until('the new ROI applies', () => view.get('lobby').stream.roi === '160x90+0+0');
  expect(view.get('lobby').alertMode).toBe('on_unknowns');
  expect(view.get('lobby').stream.imotion_threshold).toBe(global.ingest.imotion_threshold);

  // a malformed ROI (the API refuses it; a record written by hand may still carry it), then a good camera after it
  await publisher.publish([
    { key: 'lobby', value: job('lobby', 3, { roi: '160x90' }) },
    { key: 'gate', value: job('gate', 1, { filter_min_face_size: 50 }) },
  ]);
  await until('the camera after the bad record applies', () => view.get('gate').bestShot.filter_min_face_size === 50);
  expect(view.get('lobby').stream.roi).toBe('160x90+0+0');

  await publisher.publish([{ key: 'lobby', value: null }]);
  await until('the deleted camera falls back to the global settings', () => view.get('lobby').stream.roi === global.best_shot.roi);
}, 60_000);
