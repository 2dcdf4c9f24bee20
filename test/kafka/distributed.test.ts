// The distributed topology over the real broker: every stage its own process under `facestream up`, the shared
// clips as two cameras at once. What downstream reads from `matches` and `episodes` is what the embedded
// topology reports for the same clips: the same event ids, identities, similarities and episodes. Pixels cross
// losslessly (kafka.image_format png) so that equality is exact; JPEG's effect is measured in bench/.
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyze } from '../../cli/analyze.ts';
import { createKafkaClient } from '../../cli/kafka-client.ts';
import type { Report } from '../../report/schema.ts';
import type { EpisodeChange, FaceEvent } from '../../schemas/generated/avro-types.ts';
import { startSchemaRegistry, type SchemaRegistryServer } from '../../schemas/registry/server.ts';
import { createTopicSerde, type TopicSerde } from '../../schemas/serde/topic-serde.ts';
import { DEMO_CLIP, DEMO_WATCHLIST, VIDEO } from '../paths.ts';
import { kafkaBrokers, uniqueTopic } from '../support/kafka.ts';
import { readUntilEnd } from '../support/topic-reader.ts';
import { upUntilDone } from '../support/up-until-done.ts';

const logger = pino({ level: 'silent' });
const SOURCES = [
  { camera: 'cam-a', url: DEMO_CLIP },
  { camera: 'cam-b', url: VIDEO('face-demographics-walking.mp4') },
];
const cameras = SOURCES.map((s) => s.camera);

/** The report's view of an event and the Kafka one, reduced to what must agree. */
const eventKey = (id: string, camera: string, dossier: string | null) => `${id} ${camera} ${dossier ?? '-'}`;

describe('distributed topology (real broker, every stage a process)', () => {
  let registry: SchemaRegistryServer;
  let serde: TopicSerde;
  let brokers: string[];
  const prefix = `${uniqueTopic('dist')}.`;
  const embedded = new Map<string, Report>();
  let losslessConfig: string;
  let frameStoreDir: string;

  beforeAll(async () => {
    brokers = await kafkaBrokers();
    registry = await startSchemaRegistry({ port: 0 });
    serde = createTopicSerde({ registryUrl: registry.url, topicPrefix: prefix, logger });
    const dir = await mkdtemp(join(tmpdir(), 'fs-cfg-'));
    frameStoreDir = join(dir, 'frames');
    losslessConfig = join(dir, 'lossless.json');
    await writeFile(losslessConfig, JSON.stringify({ kafka: { image_format: 'png' }, frame_store: { dir: frameStoreDir } }));
    for (const { camera, url } of SOURCES) {
      const { report } = await analyze({ source: url, overrides: { camera }, watchlistDir: DEMO_WATCHLIST, progress: false, printEvents: false, logLevel: 'silent' });
      embedded.set(camera, report);
    }
  });
  afterAll(async () => {
    await registry?.close();
  });

  it('gives the same events and episodes as the embedded topology', async () => {
    const { code, log } = await upUntilDone({ topology: 'distributed', sources: SOURCES, watchlist: DEMO_WATCHLIST, brokers, registryUrl: registry.url, prefix, config: losslessConfig });
    expect(code, log.slice(-40).join('\n')).toBe(0);

    const kafka = createKafkaClient({ brokers, clientId: 'dist-test', logger });
    const events = (await readUntilEnd(kafka, `${prefix}matches`, serde, cameras)).map((r) => r.value as FaceEvent);
    const changes = (await readUntilEnd(kafka, `${prefix}episodes`, serde, cameras, { everyPartition: true })).map((r) => r.value as EpisodeChange);

    const reference = [...embedded.values()].flatMap((r) => r.events);
    expect(reference.length).toBeGreaterThan(5);
    expect(events.map((e) => eventKey(e.id, e.embedding.post.camera, e.dossier)).sort()).toEqual(reference.map((e) => eventKey(e.id, e.camera, e.dossier)).sort());
    expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
    // pixels cross losslessly here, so even the similarities are the embedded topology's (the report rounds to 4 places)
    const confidence = new Map(reference.map((e) => [e.id, e.confidence]));
    for (const e of events) expect(e.confidence, e.id).toBeCloseTo(confidence.get(e.id)!, 3);

    // every event refers to its full frame, kept by ingest in the frame store
    for (const e of events) expect((await readFile(join(frameStoreDir, e.embedding.post.frame.frameRef!))).subarray(0, 2), e.id).toEqual(Buffer.from([0xff, 0xd8]));

    const closed = changes.filter((c) => c.kind === 'close').map((c) => `${c.episodeId} ${c.dossier ?? '-'} ${c.eventsCount} ${c.startT.toFixed(2)}-${c.endT.toFixed(2)}`);
    const referenceEpisodes = [...embedded.values()].flatMap((r) => r.episodes.map((e) => `${e.id} ${e.dossier ?? '-'} ${e.events_count} ${e.start_s.toFixed(2)}-${e.end_s.toFixed(2)}`));
    expect(closed.sort()).toEqual(referenceEpisodes.sort());
  });

  it('edge topology (ingest+detect+track fused, JPEG crops over Kafka): the same events and identities', async () => {
    const edgePrefix = `${uniqueTopic('edge')}.`;
    const { code, log } = await upUntilDone({ topology: 'edge', sources: SOURCES, watchlist: DEMO_WATCHLIST, brokers, registryUrl: registry.url, prefix: edgePrefix });
    expect(code, log.slice(-40).join('\n')).toBe(0);
    const kafka = createKafkaClient({ brokers, clientId: 'edge-test', logger });
    const edgeSerde = createTopicSerde({ registryUrl: registry.url, topicPrefix: edgePrefix, logger });
    const events = (await readUntilEnd(kafka, `${edgePrefix}matches`, edgeSerde, cameras)).map((r) => r.value as FaceEvent);
    const reference = [...embedded.values()].flatMap((r) => r.events);
    // tracking runs on the decoded frames as in the embedded topology, so tracks, posts and event ids are the same
    expect(events.map((e) => eventKey(e.id, e.embedding.post.camera, e.dossier)).sort()).toEqual(reference.map((e) => eventKey(e.id, e.camera, e.dossier)).sort());
    // only the face crops crossed as JPEG (default): similarities move a little (measured ≤ 0.1 on these small faces)
    const confidence = new Map(reference.map((e) => [e.id, e.confidence]));
    for (const e of events) expect(Math.abs(e.confidence - confidence.get(e.id)!), e.id).toBeLessThan(0.1);
  });
});
