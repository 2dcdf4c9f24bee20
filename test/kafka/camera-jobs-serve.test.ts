// `facestream serve` on Kafka relays camera jobs: a camera created, changed and deleted through the API (identity
// store in PGlite) becomes its job on the compacted `cameras` topic — the job an ingest worker runs — and a
// tombstone; its settings travel as JSON text per key. A worker's CameraStatus records on `camera-status` are the
// camera's health in GET /cameras/{id} and its samples in GET /cameras/{id}/statistics.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Consumer, Kafka } from 'kafkajs';
import { pino } from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createKafkaClient } from '../../cli/kafka-client.ts';
import { serve, type Served } from '../../cli/serve.ts';
import { camerasTopicName } from '../../pipelines/cameras/kafka-jobs/cameras-topic.ts';
import type { CameraJob } from '../../schemas/generated/avro-types.ts';
import { startSchemaRegistry, type SchemaRegistryServer } from '../../schemas/registry/server.ts';
import { createTopicSerde, type TopicSerde } from '../../schemas/serde/topic-serde.ts';
import { cameraStatusOf } from '../../pipelines/cameras/status.ts';
import { CameraStats } from '../../pipelines/cameras/stats.ts';
import { kafkaBrokers, uniqueTopic } from '../support/kafka.ts';

const logger = pino({ level: 'silent' });
const PASSWORD = 'camera-jobs-serve-test';

let registry: SchemaRegistryServer;
let served: Served | undefined;
let dataDir: string;
let consumer: Consumer | undefined;
let token = '';
let kafka: Kafka;
let serde: TopicSerde;
const prefix = `${uniqueTopic('camjobs-serve')}.`;
/** camera id → its records in order (null: tombstone) */
const jobs = new Map<string, Array<CameraJob | null>>();

beforeAll(async () => {
  const brokers = await kafkaBrokers();
  registry = await startSchemaRegistry({ port: 0 });
  dataDir = await mkdtemp(join(tmpdir(), 'fs-camjobs-serve-'));
  const env: NodeJS.ProcessEnv = { ...process.env, KAFKA_BROKERS: brokers.join(','), SCHEMA_REGISTRY_URL: registry.url, FACESTREAM_TOPIC_PREFIX: prefix, FACESTREAM_ADMIN_PASSWORD: PASSWORD };
  delete env['DATABASE_URL'];
  delete env['CLICKHOUSE_URL'];
  // the cameras' URLs name loopback servers, which the API refuses unless allowed
  served = await serve({ api: { port: 0, allowed_networks: ['127.0.0.0/8'] }, dataDir, logLevel: 'silent', env, say: () => undefined });
  const login = await fetch(`${served.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: PASSWORD }) });
  token = ((await login.json()) as { key: string }).key;

  // serve made the topic as it started its relay
  kafka = createKafkaClient({ brokers, clientId: 'camera-jobs-serve-test', logger });
  serde = createTopicSerde({ registryUrl: registry.url, topicPrefix: prefix, logger });
  await serde.registerAll();
  consumer = kafka.consumer({ groupId: uniqueTopic('camjobs-serve-reader'), allowAutoTopicCreation: false, maxWaitTimeInMs: 200 });
  await consumer.connect();
  await consumer.subscribe({ topic: camerasTopicName(prefix), fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      const key = await serde.decodeKey('cameras', message.key!);
      jobs.set(key, [...(jobs.get(key) ?? []), message.value ? await serde.decodeValue('cameras', message.value) : null]);
    },
  });
}, 120_000);
afterAll(async () => {
  await consumer?.disconnect();
  await served?.stop();
  await registry?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

const api = async (method: string, path: string, body?: unknown): Promise<{ id: number }> => {
  const r = await fetch(`${served!.url}/api/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  expect(r.status, `${method} ${path}: ${await r.clone().text()}`).toBeLessThan(300);
  return r.status === 204 ? { id: 0 } : ((await r.json()) as { id: number });
};

it('a camera created, changed and deleted through the API reaches the cameras topic as its job, then a tombstone', async () => {
  const { id } = await api('POST', '/cameras', { name: 'serve-door', url: 'rtsp://127.0.0.1:8554/door', stream_settings: { fps: 4, roi: '320x240+0+0' } });
  const key = String(id);
  await expect.poll(() => jobs.get(key)?.length ?? 0, { timeout: 30_000 }).toBeGreaterThan(0);
  expect(jobs.get(key)![0]).toMatchObject({ cameraId: key, name: 'serve-door', url: 'rtsp://127.0.0.1:8554/door', enabled: true, fps: 4, settings: { fps: '4', roi: '"320x240+0+0"' } });

  await api('PATCH', `/cameras/${id}`, { url: 'rtsp://127.0.0.1:8554/door2' });
  await expect.poll(() => jobs.get(key)!.at(-1)?.url, { timeout: 30_000 }).toBe('rtsp://127.0.0.1:8554/door2');
  expect(jobs.get(key)!.at(-1)!.version).toBeGreaterThan(jobs.get(key)![0]!.version);

  await api('DELETE', `/cameras/${id}`);
  await expect.poll(() => jobs.get(key)!.at(-1), { timeout: 30_000 }).toBeNull();
});

it("a worker's camera-status records are the camera's health and statistics in the API", async () => {
  const { id } = await api('POST', '/cameras', { name: 'serve-gate', url: 'rtsp://127.0.0.1:8554/gate' });
  // what a worker reports: started, then failing with a reason
  let now = Date.now() - 2_000;
  const stats = new CameraStats(() => now);
  stats.started();
  const starting = cameraStatusOf(String(id), stats.health(), now, 'ingest-0');
  now += 1_000;
  stats.failed('rtsp://127.0.0.1:8554/gate: Connection refused');
  const failing = cameraStatusOf(String(id), stats.health(), now, 'ingest-0');
  const producer = kafka.producer();
  await producer.connect();
  try {
    await producer.send({
      topic: `${prefix}camera-status`,
      messages: [starting, failing].map((s) => ({ key: serde.encodeKey('camera-status', s.cameraId), value: serde.encodeValue('camera-status', s) })),
    });
  } finally {
    await producer.disconnect();
  }
  const get = async <T>(path: string): Promise<T> => {
    const r = await fetch(`${served!.url}/api/v1${path}`, { headers: { authorization: `Bearer ${token}` } });
    expect(r.status, await r.clone().text()).toBe(200);
    return (await r.json()) as T;
  };
  await expect.poll(async () => (await get<{ health?: { status: string } }>(`/cameras/${id}`)).health?.status, { timeout: 30_000, interval: 250 }).toBe('red');
  expect((await get<{ health: object }>(`/cameras/${id}`)).health).toMatchObject({ state: 'retrying', job_starts: 1, last_error: 'rtsp://127.0.0.1:8554/gate: Connection refused' });
  await expect
    .poll(async () => (await get<{ results: { state: string }[] }>(`/cameras/${id}/statistics`)).results.map((r) => r.state), { timeout: 30_000, interval: 250 })
    .toEqual(['starting', 'retrying']);
});
