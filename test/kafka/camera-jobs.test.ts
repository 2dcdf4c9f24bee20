// Camera jobs over Kafka, end to end on the real broker and the real PostgreSQL server: cameras created, changed and
// deleted in the identity store reach the compacted `cameras` topic through the outbox relay (a delete as a
// tombstone); two ingest workers (`facestream stage ingest` without --source, real processes) share four RTSP
// cameras (loopback servers playing the shared clips in real time) and every camera's frames reach `frames`; one
// worker SIGKILLed, the other takes its cameras and their frames appear again; a camera whose settings change is
// restarted alone; a camera disabled is stopped. The
// workers' `camera-status` records: running cameras, a camera whose URL answers nothing red (retrying), a disabled
// one grey, each from the worker that runs it, with the frames its child counted.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Consumer, Kafka } from 'kafkajs';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKafkaClient } from '../../cli/kafka-client.ts';
import { freePorts } from '../../infra/local-service/ports.ts';
import type { OutboxRelay } from '../../enrolment/watchlist-sync/outbox-relay.ts';
import { camerasTopicName } from '../../pipelines/cameras/kafka-jobs/cameras-topic.ts';
import { startCameraJobRelay } from '../../pipelines/cameras/publish/camera-outbox.ts';
import { startTestRtspServer, type TestRtspServer } from '../../pipelines/ingest/testing/rtsp-server.ts';
import { startSchemaRegistry, type SchemaRegistryServer } from '../../schemas/registry/server.ts';
import { createTopicSerde, type TopicSerde } from '../../schemas/serde/topic-serde.ts';
import type { Db } from '../../stores/postgres/db.ts';
import { openDatabase } from '../../stores/postgres/open.ts';
import { createCameraGroup } from '../../stores/postgres/repositories/camera-groups.ts';
import { createCamera, deleteCamera, updateCamera } from '../../stores/postgres/repositories/cameras.ts';
import { REPO, VIDEO } from '../paths.ts';
import { kafkaBrokers, uniqueTopic } from '../support/kafka.ts';
import { freshDatabase } from '../support/postgres.ts';
import { followTopic } from './topic-reader.ts';

const logger = pino({ level: 'silent' });
const CLIPS = ['head-pose-face-detection-female.mp4', 'head-pose-face-detection-male.mp4', 'face-demographics-walking.mp4', 'classroom.mp4'];

let registry: SchemaRegistryServer;
let db: Db;
let kafka: Kafka;
let serde: TopicSerde;
let relay: OutboxRelay;
let prefix: string;
let dir: string;

beforeAll(async () => {
  registry = await startSchemaRegistry({ port: 0 });
  prefix = `${uniqueTopic('camjobs')}.`;
  kafka = createKafkaClient({ brokers: await kafkaBrokers(), clientId: 'camera-jobs-test', logger });
  serde = createTopicSerde({ registryUrl: registry.url, topicPrefix: prefix, logger });
  await serde.registerAll();
  ({ db } = await openDatabase({ url: await freshDatabase('camjobs') }));
  relay = await startCameraJobRelay({ db, kafka, serde, topicPrefix: prefix, logger });
  dir = await mkdtemp(join(tmpdir(), 'fs-camjobs-'));
});
afterAll(async () => {
  await relay?.stop();
  await db?.close();
  await registry?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Follows a topic from its start, calling `onRecord` with each record's decoded key and value. */
const follow = (topic: string, onRecord: (key: string, value: unknown) => void): Promise<Consumer> => followTopic(kafka, serde, topic, onRecord);

describe('camera jobs on the cameras topic', () => {
  it('a camera created through the repository reaches the topic, a change bumps its version, its delete is a tombstone', async () => {
    const jobs = new Map<string, Array<{ version: number; url: string; enabled: boolean } | null>>();
    const consumer = await follow(camerasTopicName(prefix), (key, value) => jobs.set(key, [...(jobs.get(key) ?? []), value as never]));
    try {
      const group = await createCameraGroup(db, { name: 'topic-lobby' });
      const cam = await createCamera(db, { name: 'topic-door', camera_group_id: group.id, url: 'rtsp://127.0.0.1:9/door', stream_settings: { fps: 3 } });
      const id = String(cam.id);
      await expect.poll(() => jobs.get(id)?.length ?? 0, { timeout: 30_000 }).toBeGreaterThan(0);
      expect(jobs.get(id)![0]).toMatchObject({ cameraId: id, url: 'rtsp://127.0.0.1:9/door', enabled: true, fps: 3, settings: { fps: '3' } });

      await updateCamera(db, cam.id, { active: false });
      await expect.poll(() => jobs.get(id)!.at(-1)?.enabled, { timeout: 30_000 }).toBe(false);
      expect(jobs.get(id)!.at(-1)!.version).toBeGreaterThan(jobs.get(id)![0]!.version);

      await deleteCamera(db, cam.id);
      await expect.poll(() => jobs.get(id)!.at(-1), { timeout: 30_000 }).toBeNull();
    } finally {
      await consumer.disconnect();
    }
  });
});

interface Worker {
  readonly name: string;
  readonly proc: ChildProcess;
  /** cameras this worker started and has not stopped, from its log */
  readonly cameras: Set<string>;
  /** when each camera last started here */
  readonly startedAt: Map<string, number>;
  readonly stopped: string[];
  exited: boolean;
}

describe('ingest workers', () => {
  const servers: TestRtspServer[] = [];
  const workers: Worker[] = [];
  /** camera → arrival times (ms) of its frames */
  const frames = new Map<string, number[]>();
  const consumers: Consumer[] = [];

  const startWorker = (name: string, config: string): Worker => {
    const env = { ...process.env, KAFKA_BROKERS: brokersText, SCHEMA_REGISTRY_URL: registry.url, FACESTREAM_TOPIC_PREFIX: prefix };
    const proc = spawn(process.execPath, [join(REPO, 'bin/facestream.js'), 'stage', 'ingest', '--topology', 'distributed', '--instance', name, '--config', config], {
      cwd: REPO,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const worker: Worker = { name, proc, cameras: new Set(), startedAt: new Map(), stopped: [], exited: false };
    let rest = '';
    proc.stdout!.on('data', (chunk: Buffer) => {
      const lines = (rest + chunk.toString()).split('\n');
      rest = lines.pop()!;
      for (const line of lines) {
        if (!line.startsWith('{')) continue; // a child's line: `[camera@1] …`
        const msg = (JSON.parse(line) as { msg?: string }).msg ?? '';
        const started = /^camera (\S+) (started|restarted)/.exec(msg);
        const stopped = /^camera (\S+) stopped/.exec(msg);
        if (started) {
          worker.cameras.add(started[1]!);
          worker.startedAt.set(started[1]!, Date.now());
        }
        if (stopped) {
          worker.cameras.delete(stopped[1]!);
          worker.stopped.push(msg);
        }
      }
    });
    proc.stderr!.resume();
    proc.on('exit', () => (worker.exited = true));
    workers.push(worker);
    return worker;
  };
  let brokersText = '';
  /** frames of `camera` that arrived after `since` */
  const framesSince = (camera: string, since: number) => (frames.get(camera) ?? []).filter((t) => t > since).length;

  afterAll(async () => {
    for (const w of workers) if (!w.exited) w.proc.kill('SIGTERM');
    await Promise.all(workers.map((w) => (w.exited ? undefined : new Promise((r) => w.proc.once('exit', r)))));
    await Promise.all(consumers.map((c) => c.disconnect()));
    await Promise.all(servers.map((s) => s.close()));
  });

  it('two workers share four cameras; one SIGKILLed, the other takes its cameras; a changed camera restarts alone, a disabled one stops', { timeout: 240_000 }, async () => {
    /** camera → its latest status record */
    const statuses = new Map<string, { status: string; state: string; worker: string; jobStarts: number; framesProcessed: number }>();
    brokersText = (await kafkaBrokers()).join(',');
    const config = join(dir, 'config.json');
    // 2 frames a second are enough to see a camera running, and keep the processes light on two cores
    await writeFile(config, JSON.stringify({ ingest: { fps: 2 } }));
    const group = await createCameraGroup(db, { name: 'workers-site' });
    const cameras: string[] = [];
    for (const [i, clip] of CLIPS.entries()) {
      const server = await startTestRtspServer({ clip: VIDEO(clip), path: `cam${i}` });
      servers.push(server);
      const cam = await createCamera(db, { name: `worker-cam-${i}`, camera_group_id: group.id, url: server.url, stream_settings: i === 0 ? { fps: 1 } : {} });
      cameras.push(String(cam.id));
    }
    // nothing listens there: a camera that answers nothing
    const [closed] = await freePorts(1);
    const dead = String((await createCamera(db, { name: 'worker-cam-dead', camera_group_id: group.id, url: `rtsp://127.0.0.1:${closed}/nobody` })).id);
    const all = [...cameras, dead].sort();

    const a = startWorker('a', config);
    const b = startWorker('b', config);
    consumers.push(await follow(`${prefix}frames`, (camera, value) => {
      if (value !== null) frames.set(camera, [...(frames.get(camera) ?? []), Date.now()]);
    }));
    const statusConsumer = await follow(`${prefix}camera-status`, (camera, value) => statuses.set(camera, value as never));
    consumers.push(statusConsumer);
    // every camera runs on exactly one worker, and its frames arrive
    await expect.poll(() => [...a.cameras, ...b.cameras].sort(), { timeout: 90_000, interval: 500 }).toEqual(all);
    expect([...a.cameras].filter((c) => b.cameras.has(c))).toEqual([]);
    const t0 = Date.now();
    await expect.poll(() => cameras.filter((c) => framesSince(c, t0) > 0).length, { timeout: 90_000, interval: 500 }).toBe(cameras.length);
    // the cameras that send frames are running; the one that answers nothing is red, its child restarted
    await expect.poll(() => cameras.filter((c) => statuses.get(c)?.state === 'running' && statuses.get(c)!.framesProcessed > 0).length, { timeout: 30_000, interval: 500 }).toBe(cameras.length);
    await expect.poll(() => statuses.get(dead), { timeout: 30_000, interval: 500 }).toMatchObject({ status: 'red', state: 'retrying' });
    await expect.poll(() => statuses.get(dead)?.jobStarts ?? 0, { timeout: 30_000, interval: 500 }).toBeGreaterThan(1);

    // the busier worker dies without a word; its children die with it (the supervisor's orphan guard)
    const [victim, survivor] = a.cameras.size >= b.cameras.size ? [a, b] : [b, a];
    const moved = [...victim.cameras].filter((c) => c !== dead);
    const killedAt = Date.now();
    victim.proc.kill('SIGKILL');
    await expect.poll(() => moved.filter((c) => survivor.cameras.has(c)).length, { timeout: 90_000, interval: 500 }).toBe(moved.length);
    const takenAt = Math.max(...moved.map((c) => survivor.startedAt.get(c)!));
    expect(takenAt).toBeGreaterThan(killedAt);
    await expect.poll(() => moved.filter((c) => framesSince(c, takenAt) > 0).length, { timeout: 90_000, interval: 500 }).toBe(moved.length);
    expect([...survivor.cameras].sort()).toEqual(all);
    const survivorName = `ingest-${survivor.name}`;
    await expect.poll(() => moved.filter((c) => statuses.get(c)?.worker === survivorName).length, { timeout: 30_000, interval: 500 }).toBe(moved.length);

    // a changed setting restarts that camera only
    const startedBefore = new Map(survivor.startedAt);
    await updateCamera(db, Number(cameras[0]), { stream_settings: { fps: 2 } });
    await expect.poll(() => survivor.startedAt.get(cameras[0]!), { timeout: 30_000, interval: 250 }).toBeGreaterThan(startedBefore.get(cameras[0]!)!);
    expect(all.filter((c) => c !== cameras[0] && c !== dead).map((c) => survivor.startedAt.get(c))).toEqual(all.filter((c) => c !== cameras[0] && c !== dead).map((c) => startedBefore.get(c)));

    // disabled in the identity store: the survivor stops that camera (and only that one)
    await updateCamera(db, Number(cameras[1]), { active: false });
    await expect.poll(() => survivor.cameras.has(cameras[1]!), { timeout: 30_000, interval: 250 }).toBe(false);
    expect(survivor.stopped.at(-1)).toMatch(/disabled/);
    expect(survivor.cameras.size).toBe(all.length - 1);
    await expect.poll(() => statuses.get(cameras[1]!), { timeout: 30_000, interval: 500 }).toMatchObject({ status: 'grey', state: 'disabled' });
  });
});
