// Faults in the distributed topology, on the real broker, with cameras replayed at their own pace (so there is
// a "mid-stream"): a stateful stage killed with SIGKILL, and the broker restarted. Either way downstream reads
// every event of the embedded topology exactly once, and episodes that hold each of them once.
import { randomUUID } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Kafka } from 'kafkajs';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyze } from '../../cli/analyze.ts';
import { createKafkaClient } from '../../cli/kafka-client.ts';
import type { Report } from '../../report/schema.ts';
import type { EpisodeChange, FaceEvent } from '../../schemas/generated/avro-types.ts';
import { startSchemaRegistry, type SchemaRegistryServer } from '../../schemas/registry/server.ts';
import { createTopicSerde, type TopicSerde } from '../../schemas/serde/topic-serde.ts';
import { DEMO_CLIP, DEMO_WATCHLIST, VIDEO } from '../paths.ts';
import { kafkaBrokers, ownKafka, uniqueTopic } from '../support/kafka.ts';
import { readUntilEnd } from '../support/topic-reader.ts';
import { upUntilDone } from '../support/up-until-done.ts';

const logger = pino({ level: 'silent' });
const SOURCES = [
  { camera: 'cam-a', url: DEMO_CLIP },
  { camera: 'cam-b', url: VIDEO('head-pose-face-detection-male.mp4') },
  { camera: 'cam-c', url: VIDEO('face-demographics-walking-and-pause.mp4') },
];
const cameras = SOURCES.map((s) => s.camera);

/** Resolves when the first record lands on `topic` (the stream is flowing), with the consumer stopped. */
async function firstRecord(kafka: Kafka, topic: string): Promise<void> {
  const consumer = kafka.consumer({ groupId: `watch-${randomUUID()}` });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await new Promise<void>((resolve) => void consumer.run({ eachMessage: async () => resolve() }));
  await consumer.disconnect();
}

interface Outcome {
  readonly events: FaceEvent[];
  readonly changes: EpisodeChange[];
  readonly log: readonly string[];
}

/**
 * Episodes may group one person's events across cameras, in an order that depends on arrival, so they are
 * checked for what a fault could break: every event in exactly one episode, every episode closed once, with the
 * events it was given.
 */
function expectConsistentEpisodes(changes: readonly EpisodeChange[], events: readonly FaceEvent[]): void {
  const eventIds = changes.filter((c) => c.kind !== 'close').map((c) => c.eventId);
  expect([...eventIds].sort()).toEqual(events.map((e) => e.id).sort());
  const closes = changes.filter((c) => c.kind === 'close');
  expect(new Set(closes.map((c) => c.episodeId)).size).toBe(closes.length);
  const opened = new Set(changes.filter((c) => c.kind === 'open').map((c) => c.episodeId));
  expect(new Set(closes.map((c) => c.episodeId))).toEqual(opened);
  for (const close of closes) expect(close.eventsCount).toBe(changes.filter((c) => c.kind !== 'close' && c.episodeId === close.episodeId).length);
}

describe('faults in the distributed topology (real broker)', () => {
  let registry: SchemaRegistryServer;
  let config: string;
  const reference = { events: [] as string[] };

  beforeAll(async () => {
    registry = await startSchemaRegistry({ port: 0 });
    config = join(await mkdtemp(join(tmpdir(), 'fs-faults-')), 'config.json');
    // lossless pixels: the embedded run is the exact reference; realtime: the cameras last seconds, not a blink.
    // The default ingest.camera_idle_timeout (10 s) holds: whether a camera is idle travels in stream order, so the
    // broker restarting, then detect reloading its models (15–30 s on a loaded machine), splits no track.
    await writeFile(config, JSON.stringify({ kafka: { image_format: 'png' }, ingest: { realtime: true } }));
    const reports: Report[] = [];
    for (const { camera, url } of SOURCES) {
      reports.push((await analyze({ source: url, overrides: { camera }, watchlistDir: DEMO_WATCHLIST, progress: false, printEvents: false, logLevel: 'silent' })).report);
    }
    reference.events = reports.flatMap((r) => r.events.map((e) => `${e.id} ${e.dossier ?? '-'}`)).sort();
  });
  afterAll(async () => {
    await registry?.close();
  });

  /** Runs `up --until-done` on SOURCES; `fault` is called once the first event is out. */
  async function runWithFault(brokers: string[], deadlineMs: number, fault: (pids: ReadonlyMap<string, number>) => Promise<void>): Promise<Outcome> {
    const prefix = `${uniqueTopic('faults')}.`;
    const serde: TopicSerde = createTopicSerde({ registryUrl: registry.url, topicPrefix: prefix, logger });
    const kafka = createKafkaClient({ brokers, clientId: 'faults-test', logger });
    const pids = new Map<string, number>();
    const running = upUntilDone({
      topology: 'distributed',
      sources: SOURCES,
      watchlist: DEMO_WATCHLIST,
      brokers,
      registryUrl: registry.url,
      prefix,
      config,
      restartBackoff: { initialMs: 200, maxMs: 2000 },
      deadlineMs,
      onPrint: (l) => {
        const started = /^started (\S+) \(pid (\d+)\)/.exec(l);
        if (started) pids.set(started[1]!, Number(started[2]));
      },
    });
    const faulted = (async () => {
      for (let i = 0; i < 600 && !pids.has('episodes'); i++) await new Promise((r) => setTimeout(r, 100));
      await waitForTopic(kafka, `${prefix}matches`);
      await firstRecord(kafka, `${prefix}matches`);
      await fault(pids);
    })();
    const { code, log } = await running;
    // a run that failed or hung is reported with its log before waiting on the fault (which may never have come)
    expect(code, log.slice(code === -1 ? -150 : -40).join('\n')).toBe(0);
    await faulted;
    const events = (await readUntilEnd(kafka, `${prefix}matches`, serde, cameras)).map((r) => r.value as FaceEvent);
    const changes = (await readUntilEnd(kafka, `${prefix}episodes`, serde, cameras, { everyPartition: true })).map((r) => r.value as EpisodeChange);
    return { events, changes, log };
  }

  it('a stateful stage (track, and episodes) killed with SIGKILL mid-stream: no event lost, none twice', async () => {
    const brokers = await kafkaBrokers();
    const { events, changes, log } = await runWithFault(brokers, 150_000, async (pids) => {
      process.kill(pids.get('track')!, 'SIGKILL');
      process.kill(pids.get('episodes')!, 'SIGKILL');
    });
    // restarted by the supervisor, the stage got its state back (a second restore, after the kill)
    expect(log.filter((l) => l.startsWith('[track] ') && l.includes('"state restored"')).length).toBeGreaterThanOrEqual(2);
    expect(events.map((e) => `${e.id} ${e.dossier ?? '-'}`).sort()).toEqual(reference.events);
    expectConsistentEpisodes(changes, events);
  });

  // Stages that give up on a broker that is away exit and are restarted by `up` (detect and embed reload their
  // models), possibly more than once while a loaded machine brings the broker back: minutes, not seconds.
  it('the broker restarted mid-run: stages reconnect and finish, no event lost, none twice', { timeout: 300_000 }, async () => {
    const broker = await ownKafka();
    try {
      const { events, changes } = await runWithFault(broker.brokers, 240_000, () => broker.restart());
      expect(events.map((e) => `${e.id} ${e.dossier ?? '-'}`).sort()).toEqual(reference.events);
      expectConsistentEpisodes(changes, events);
    } finally {
      await broker.stop();
    }
  });
});

/** The topic exists (a consumer subscribing to a topic not yet created by the stages would fail). */
async function waitForTopic(kafka: Kafka, topic: string): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    for (let i = 0; i < 600 && !(await admin.listTopics()).includes(topic); i++) await new Promise((r) => setTimeout(r, 100));
  } finally {
    await admin.disconnect();
  }
}
