// A live camera of an ingest worker that goes away and returns, on the real broker: an RTSP camera (our loopback
// server behind a TCP relay the test cuts and restores) run by a real `facestream stage ingest` worker. While the
// camera is away the worker reports it red (retrying, with the reason) and its child keeps running, reading its
// source again every few seconds; once it returns its frames are on `frames` again within seconds, without a restart
// of the child. Serve's side of camera-status (pipelines/cameras/status-follower.ts) on real chdb: the health it
// serves follows the worker's reports, and every record is in camera_stats.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Consumer, Kafka } from 'kafkajs';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKafkaClient } from '../../cli/kafka-client.ts';
import { camerasTopicName, ensureCamerasTopic } from '../../pipelines/cameras/kafka-jobs/cameras-topic.ts';
import { followCameraStatuses, type CameraStatusFollower } from '../../pipelines/cameras/status-follower.ts';
import { startTestRtspServer, type TestRtspServer } from '../../pipelines/ingest/testing/rtsp-server.ts';
import { tcpRelay } from '../../pipelines/ingest/testing/tcp-relay.ts';
import { systemClock } from '../../pipelines/runtime/stage.ts';
import type { CameraJob } from '../../schemas/generated/avro-types.ts';
import { startSchemaRegistry, type SchemaRegistryServer } from '../../schemas/registry/server.ts';
import { createTopicSerde, type TopicSerde } from '../../schemas/serde/topic-serde.ts';
import { queryCameraStats } from '../../stores/clickhouse/camera-stats.ts';
import { openTestStore, type TestStore } from '../../stores/clickhouse/testing.ts';
import { DEMO_CLIP, REPO } from '../paths.ts';
import { kafkaBrokers, uniqueTopic } from '../support/kafka.ts';
import { followTopic } from './topic-reader.ts';

const logger = pino({ level: 'silent' });
const CAMERA = '7';

let registry: SchemaRegistryServer;
let kafka: Kafka;
let serde: TopicSerde;
let prefix: string;
let dir: string;
let store: TestStore;
let rtsp: TestRtspServer;
let statuses: CameraStatusFollower;
let worker: ChildProcess | undefined;
const consumers: Consumer[] = [];

beforeAll(async () => {
  registry = await startSchemaRegistry({ port: 0 });
  prefix = `${uniqueTopic('camreconnect')}.`;
  kafka = createKafkaClient({ brokers: await kafkaBrokers(), clientId: 'camera-reconnect-test', logger });
  serde = createTopicSerde({ registryUrl: registry.url, topicPrefix: prefix, logger });
  await serde.registerAll();
  dir = await mkdtemp(join(tmpdir(), 'fs-camreconnect-'));
  store = await openTestStore();
  rtsp = await startTestRtspServer({ clip: DEMO_CLIP });
  // before the worker: it follows camera-status from its end
  statuses = await followCameraStatuses({ kafka, serde, topicPrefix: prefix, clickhouse: store.client, logger, clock: systemClock, staleAfterMs: 20_000 });
}, 60_000);

afterAll(async () => {
  if (worker && worker.exitCode === null) {
    const exited = new Promise((r) => worker!.once('exit', r));
    worker.kill('SIGTERM');
    await exited;
  }
  await Promise.all(consumers.map((c) => c.disconnect()));
  await statuses?.stop();
  await rtsp?.close();
  await store?.dispose();
  await registry?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
}, 30_000);

/** Publishes the camera's job on the `cameras` topic, as serve's camera jobs relay does. */
async function publishJob(job: CameraJob): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await ensureCamerasTopic(admin, prefix);
  } finally {
    await admin.disconnect();
  }
  const producer = kafka.producer();
  await producer.connect();
  try {
    await producer.send({ topic: camerasTopicName(prefix), messages: [{ key: serde.encodeKey('cameras', job.cameraId), value: serde.encodeValue('cameras', job) }] });
  } finally {
    await producer.disconnect();
  }
}

describe('a live camera of an ingest worker', () => {
  it('goes red while away and is read again within seconds of its return, by the same child; serve follows its health into camera_stats', { timeout: 60_000 }, async () => {
    const link = await tcpRelay(new URL(rtsp.url));
    try {
      const config = join(dir, 'config.json');
      // a stalled read ends after 2 s; 2 frames a second are enough to see the camera deliver
      await writeFile(config, JSON.stringify({ ingest: { fps: 2, timeout_s: 2 } }));
      await publishJob({ cameraId: CAMERA, name: 'door', url: link.url, enabled: true, version: 1, fps: null, group: '1', confidenceThreshold: null, settings: {}, restarts: 0 });
      const lines: string[] = [];
      worker = spawn(process.execPath, [join(REPO, 'bin/facestream.js'), 'stage', 'ingest', '--topology', 'distributed', '--instance', 'r', '--config', config], {
        cwd: REPO,
        env: { ...process.env, KAFKA_BROKERS: (await kafkaBrokers()).join(','), SCHEMA_REGISTRY_URL: registry.url, FACESTREAM_TOPIC_PREFIX: prefix },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let rest = '';
      worker.stdout!.on('data', (chunk: Buffer) => {
        const all = (rest + chunk.toString()).split('\n');
        rest = all.pop()!;
        lines.push(...all);
      });
      const frames: number[] = [];
      consumers.push(await followTopic(kafka, serde, `${prefix}frames`, (camera, value) => camera === CAMERA && value !== null && frames.push(Date.now())));
      const health = () => statuses.runtime.health(Number(CAMERA));

      await expect.poll(() => frames.length, { timeout: 30_000, interval: 250 }).toBeGreaterThan(0);
      await expect.poll(() => health()?.state, { timeout: 15_000, interval: 250 }).toBe('running');
      expect(health()!.frames_processed).toBeGreaterThan(0);

      await link.cut();
      await expect.poll(() => health()?.status, { timeout: 15_000, interval: 250 }).toBe('red');
      const red = health()!;
      expect(red.state).toBe('retrying');
      expect(red.last_error).toBeTruthy();
      await new Promise((r) => setTimeout(r, 1_500)); // the reconnections meanwhile are refused: still red
      expect(health()).toMatchObject({ status: 'red' });

      const back = Date.now();
      await link.restore();
      await expect.poll(() => frames.filter((t) => t > back).length, { timeout: 15_000, interval: 100 }).toBeGreaterThan(0);
      // FindFace's bound: read again within 5 s of the camera's return (a reconnection, not a new process)
      expect(frames.find((t) => t > back)! - back).toBeLessThan(5_000);
      await expect.poll(() => health()?.state, { timeout: 15_000, interval: 250 }).toBe('running');
      // the child never ended: the supervisor restarted nothing
      expect(lines.filter((l) => /restart #/.test(l))).toEqual([]);
      expect(lines.some((l) => l.includes('camera source failed; retrying'))).toBe(true);

      // every report is a camera_stats sample: running, red while away, running again
      const states = async () => {
        const samples = await queryCameraStats(store.client, { camera: CAMERA, from: 0, to: Date.now() + 60_000, limit: 1000 });
        expect(samples.filter((x) => x.state === 'retrying').every((x) => x.last_error !== null)).toBe(true);
        return samples.map((x) => x.state).filter((x, k, all) => k === 0 || all[k - 1] !== x).join();
      };
      await expect.poll(states, { timeout: 20_000, interval: 500 }).toMatch(/running,retrying,running$/);
    } finally {
      await link.close();
    }
  });
});
