// The counters over the real broker, as `facestream stage counters|sink --topology distributed` run them: detections
// of one camera produced to the detections topic (Avro, schema registry), counter definitions on the real
// PostgreSQL server (DATABASE_URL), records on the counters topic in their Avro contract and, through the sink
// process (write-through), in ClickHouse (real chdb).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Kafka } from 'kafkajs';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKafkaClient } from '../../cli/kafka-client.ts';
import { loadConfig } from '../../config/load.ts';
import type { FacestreamConfig } from '../../config/schema.ts';
import { openCounterDefinitions } from '../../pipelines/counters/open.ts';
import type { FollowedCounterDefinitions } from '../../pipelines/counters/index.ts';
import { createExactFaceIndex, watchListFromFaces } from '../../pipelines/match/index.ts';
import { endOfStreamHeaders } from '../../pipelines/runtime/kafka/control.ts';
import { PRODUCER_DEFAULTS } from '../../pipelines/runtime/kafka/producer-defaults.ts';
import { systemClock } from '../../pipelines/runtime/stage.ts';
import { openAnalytics, type OpenedAnalytics } from '../../pipelines/sink-clickhouse/open.ts';
import type { CounterRecord, FrameDetections } from '../../schemas/generated/avro-types.ts';
import { startSchemaRegistry, type SchemaRegistryServer } from '../../schemas/registry/server.ts';
import { SAMPLE_VALUES } from '../../schemas/serde/samples.ts';
import { createTopicSerde, type TopicSerde } from '../../schemas/serde/topic-serde.ts';
import { queryCounterRecords } from '../../stores/clickhouse/counter-records.ts';
import { openDatabase } from '../../stores/postgres/open.ts';
import { createCameraGroup } from '../../stores/postgres/repositories/camera-groups.ts';
import { createCamera } from '../../stores/postgres/repositories/cameras.ts';
import { createCounter } from '../../stores/postgres/repositories/counters.ts';
import { startKafkaProcess, type RunningProcess } from '../../topologies/build-kafka.ts';
import { TOPOLOGIES } from '../../topologies/registry.ts';
import { kafkaBrokers, uniqueTopic } from '../support/kafka.ts';
import { freshDatabase } from '../support/postgres.ts';
import { readUntil, readUntilEnd } from '../support/topic-reader.ts';

const logger = pino({ level: 'silent' });
const CAMERA = 'cam-counted';
/** the camera of the restart test */
const RESTARTED = 'cam-restarted';
const T0 = 1_800_000_000_000;
/** face centres: A and C in the left half of a 480×270 frame, B in the right */
const CENTRES: Array<[number, number]> = [[100, 100], [400, 100], [50, 200]];

/** frame i (every 400 ms) shows i % 4 of the faces */
function detections(i: number, camera = CAMERA): FrameDetections {
  const { frame, faces } = SAMPLE_VALUES.detections;
  const face = faces[0]!;
  return {
    frame: { ...frame, camera, seq: i, ts: T0 + i * 400, t_s: i * 0.4, width: 480, height: 270, frameRef: null },
    faces: CENTRES.slice(0, i % 4).map(([x, y]) => ({ ...face, box: { x1: x - 20, y1: y - 20, x2: x + 20, y2: y + 20 } })),
    pixels: null,
  };
}

describe('counters over Kafka (real broker, PostgreSQL server, chdb)', () => {
  let registry: SchemaRegistryServer;
  let config: FacestreamConfig;
  let chDir: string;
  let counterId: number;
  let restartCounterId: number;
  let definitions: FollowedCounterDefinitions | undefined;
  let analytics: OpenedAnalytics | undefined;
  const processes: RunningProcess[] = [];

  beforeAll(async () => {
    registry = await startSchemaRegistry({ port: 0 });
    chDir = await mkdtemp(join(tmpdir(), 'fs-counters-kafka-'));
    const url = await freshDatabase('counters');
    config = await loadConfig(undefined, {
      kafka: { brokers: await kafkaBrokers(), schema_registry_url: registry.url, topic_prefix: `${uniqueTopic('counters')}.` },
      stores: { postgres: { url }, clickhouse: { data_dir: chDir } },
    });
    const { db } = await openDatabase({ url });
    try {
      const g = await createCameraGroup(db, { name: 'counted' });
      const cam = await createCamera(db, { name: CAMERA, camera_group_id: g.id, url: 'rtsp://203.0.113.7/s' });
      counterId = (await createCounter(db, { name: 'left half', interval: 1, cameras: [{ camera_id: cam.id, roi: '240x270+0+0' }] })).id;
      const other = await createCamera(db, { name: RESTARTED, camera_group_id: g.id, url: 'rtsp://203.0.113.7/t' });
      restartCounterId = (await createCounter(db, { name: 'whole frame', interval: 1, cameras: [{ camera_id: other.id }] })).id;
    } finally {
      await db.close();
    }
  }, 60_000);
  afterAll(async () => {
    await Promise.all(processes.map((p) => p.stop()));
    await definitions?.close();
    await analytics?.close();
    await registry?.close();
    await rm(chDir, { recursive: true, force: true });
  });

  const index = createExactFaceIndex(watchListFromFaces([]));
  let serde: TopicSerde;
  let kafka: Kafka;
  const start = (process: string, deps: Parameters<typeof startKafkaProcess>[0]['deps']) =>
    startKafkaProcess({ spec: TOPOLOGIES['distributed']!, process, instance: '0', config, kafka, serde, deps, logger, registry: new Registry(), clock: systemClock });
  /** frames `from` … `to - 1` of `camera` onto the detections topic, then its end-of-stream marker when `end` */
  async function produce(camera: string, from: number, to: number, end: boolean): Promise<void> {
    const producer = kafka.producer(PRODUCER_DEFAULTS);
    await producer.connect();
    const topic = `${config.kafka.topic_prefix}detections`;
    const key = serde.encodeKey('detections', camera);
    await producer.send({ topic, messages: Array.from({ length: to - from }, (_, i) => ({ key, value: serde.encodeValue('detections', detections(from + i, camera)) })) });
    if (end) await producer.send({ topic, messages: [{ key, value: null, headers: endOfStreamHeaders() }] });
    await producer.disconnect();
  }

  it('counts each second’s first frame in the ROI onto the counters topic and into ClickHouse', async () => {
    serde = createTopicSerde({ registryUrl: config.kafka.schema_registry_url, topicPrefix: config.kafka.topic_prefix, logger });
    await serde.registerAll();
    kafka = createKafkaClient({ brokers: config.kafka.brokers, clientId: 'counters-test', logger });
    // as `facestream stage counters` and `facestream stage sink` open them (cli/stage.ts)
    definitions = await openCounterDefinitions({ config, logger });
    analytics = await openAnalytics({ config, logger, writeThrough: true });
    processes.push(await start('counters', { config, index, counterDefinitions: definitions }));
    processes.push(await start('sink', { config, index, analytics: { sink: analytics.sink, writeThrough: true }, clickhouse: analytics.store.client }));
    await produce(CAMERA, 0, 10, true);

    const read = await readUntilEnd(kafka, `${config.kafka.topic_prefix}counters`, serde, [CAMERA], { timeoutMs: 90_000 });
    const records = read.map((r) => r.value as CounterRecord);
    expect(read.every((r) => r.key === CAMERA)).toBe(true);
    // slots of 1 s: frames 0 (0 ms), 3 (1200), 5 (2000), 8 (3200), showing 0, 3, 1 and 0 faces, of which in the left half 0, 2, 1, 0
    expect(records.map((r) => [r.seq, r.facesCount])).toEqual([[0, 0], [3, 2], [5, 1], [8, 0]]);
    expect(records[1]).toMatchObject({ id: `${counterId}:${CAMERA}:${T0 + 1000}`, counter: String(counterId), counterName: 'left half', camera: CAMERA, ts: T0 + 1200, frameWidth: 480 });
    expect(records[1]!.facesBbox).toEqual([{ x1: 80, y1: 80, x2: 120, y2: 120 }, { x1: 30, y1: 180, x2: 70, y2: 220 }]);

    // the sink process writes each batch before its offsets commit: the rows appear once it has read them
    let stored: Awaited<ReturnType<typeof queryCounterRecords>>['records'] = [];
    for (const end = Date.now() + 30_000; stored.length < 4 && Date.now() < end; await new Promise((r) => setTimeout(r, 200))) {
      stored = (await queryCounterRecords(analytics.store.client, { filter: { counter: String(counterId) }, limit: 100, ascending: true })).records;
    }
    expect(stored.map((r) => [r.id, r.facesCount])).toEqual(records.map((r) => [r.id, r.facesCount]));
  }, 150_000);

  it('a restarted counters process goes on from its committed slots: no slot counted twice, none skipped', async () => {
    const first = await start('counters', { config, index, counterDefinitions: definitions! });
    // frames 0–3 take the slots of 0 ms (frame 0) and 1000 ms (frame 3)
    await produce(RESTARTED, 0, 4, false);
    await readUntil(kafka, `${config.kafka.topic_prefix}counters`, serde, (rs) => rs.filter((r) => r.key === RESTARTED).length >= 2, 60_000);
    await first.stop();
    processes.push(await start('counters', { config, index, counterDefinitions: definitions! }));
    // frame 4 (1600 ms) is in the slot frame 3 took: a process that forgot its state would count it again
    await produce(RESTARTED, 4, 10, true);
    const read = await readUntilEnd(kafka, `${config.kafka.topic_prefix}counters`, serde, [RESTARTED], { timeoutMs: 90_000 });
    const records = read.filter((r) => r.key === RESTARTED).map((r) => r.value as CounterRecord);
    expect(records.map((r) => [r.seq, r.facesCount])).toEqual([[0, 0], [3, 3], [5, 1], [8, 0]]);
    expect(new Set(records.map((r) => r.counter))).toEqual(new Set([String(restartCounterId)]));
  }, 150_000);
});
