// A camera that goes quiet for longer than ingest.camera_idle_timeout, through the distributed topology on the
// real broker: ingest's idle marker crosses frames → detect → detections in stream order, and track ends the
// camera's tracks on it — the same tracks and events as the embedded topology, where the marker crosses queues.
// track.miss_interval is set above the pause, so nothing but the marker can end a track there.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyze } from '../../cli/analyze.ts';
import { createKafkaClient } from '../../cli/kafka-client.ts';
import { pausedCopy } from '../../pipelines/ingest/testing/media.ts';
import type { Report } from '../../report/schema.ts';
import type { EpisodeChange, FaceEvent, FacePost, FrameDetections } from '../../schemas/generated/avro-types.ts';
import { startSchemaRegistry, type SchemaRegistryServer } from '../../schemas/registry/server.ts';
import { createTopicSerde } from '../../schemas/serde/topic-serde.ts';
import { DEMO_WATCHLIST, VIDEO } from '../paths.ts';
import { kafkaBrokers, uniqueTopic } from '../support/kafka.ts';
import { readUntilEnd } from '../support/topic-reader.ts';
import { upUntilDone } from '../support/up-until-done.ts';

const logger = pino({ level: 'silent' });
const camera = 'quiet-cam';
/** the man's head-pose clip, its stream paused for PAUSE_S after about PAUSE_AT_S */
const PAUSE_AT_S = 2;
const PAUSE_S = 5;

describe('a camera that goes quiet (real broker)', () => {
  let registry: SchemaRegistryServer;
  let dir = '';
  let clip = '';
  /** writes a config file: lossless pixels (the embedded run is the exact reference), paced like a live camera */
  const configWith = async (name: string, idleS: number) => {
    const path = join(dir, `${name}.json`);
    await writeFile(path, JSON.stringify({ kafka: { image_format: 'png' }, ingest: { realtime: true, camera_idle_timeout: idleS }, track: { miss_interval: 60 } }));
    return path;
  };
  const embedded = async (configFile: string): Promise<Report> =>
    (await analyze({ source: clip, configFile, overrides: { camera }, watchlistDir: DEMO_WATCHLIST, progress: false, printEvents: false, logLevel: 'silent' })).report;
  /** tracks alive on both sides of the pause */
  const acrossThePause = (r: Report) => r.tracks.filter((t) => t.first_s < PAUSE_AT_S && t.last_s > PAUSE_AT_S + PAUSE_S - 1);

  beforeAll(async () => {
    registry = await startSchemaRegistry({ port: 0 });
    dir = await mkdtemp(join(tmpdir(), 'fs-idle-'));
    clip = join(dir, 'paused.mp4');
    await pausedCopy(VIDEO('head-pose-face-detection-male.mp4'), clip, PAUSE_AT_S, PAUSE_S);
  });
  afterAll(async () => {
    await registry?.close();
  });

  it('its tracks end on ingest\'s idle marker, in stream order, as in the embedded topology; its episodes close', { timeout: 300_000 }, async () => {
    const quick = await configWith('idle-2s', 2);
    const reference = await embedded(quick);
    // the embedded topology: the marker ends the man's track at the pause and he starts a new one after it
    expect(reference.tracks.length).toBeGreaterThanOrEqual(2);
    expect(acrossThePause(reference)).toEqual([]);
    // a timeout longer than the pause: no marker, the same man is one track through it
    expect(acrossThePause(await embedded(await configWith('idle-60s', 60))).length).toBeGreaterThan(0);

    const brokers = await kafkaBrokers();
    const prefix = `${uniqueTopic('idle')}.`;
    const { code, log } = await upUntilDone({ topology: 'distributed', sources: [{ camera, url: clip }], watchlist: DEMO_WATCHLIST, brokers, registryUrl: registry.url, prefix, config: quick, deadlineMs: 240_000 });
    expect(code, log.slice(-60).join('\n')).toBe(0);

    const kafka = createKafkaClient({ brokers, clientId: 'idle-test', logger });
    const serde = createTopicSerde({ registryUrl: registry.url, topicPrefix: prefix, logger });
    // the marker (a record with a null value) went from ingest through detect, between the frames around the pause,
    // and stopped at track
    const sides = async (topic: string) =>
      (await readUntilEnd(kafka, `${prefix}${topic}`, serde, [camera])).map((r) =>
        r.value === null ? 'idle' : (r.value as FrameDetections | FacePost).frame.t_s < PAUSE_AT_S + PAUSE_S / 2 ? 'before' : 'after',
      );
    expect((await sides('detections')).join(' ')).toMatch(/^(before )+idle( after)+$/);
    expect(await sides('faces')).not.toContain('idle');
    const events = (await readUntilEnd(kafka, `${prefix}matches`, serde, [camera])).map((r) => r.value as FaceEvent);
    // event ids hash camera, track and post number: the same ids are the same tracks, split at the same place
    expect(events.map((e) => `${e.id} ${e.embedding.post.trackId}`).sort()).toEqual(reference.events.map((e) => `${e.id} ${e.track_id}`).sort());
    expect(new Set(events.map((e) => e.embedding.post.trackId)).size).toBeGreaterThanOrEqual(2);

    const changes = (await readUntilEnd(kafka, `${prefix}episodes`, serde, [camera], { everyPartition: true })).map((r) => r.value as EpisodeChange);
    const opened = changes.filter((c) => c.kind === 'open').map((c) => c.episodeId);
    const closed = changes.filter((c) => c.kind === 'close').map((c) => c.episodeId);
    expect(opened.length).toBeGreaterThan(0);
    expect(closed.sort()).toEqual([...new Set(opened)].sort());
    expect(changes.filter((c) => c.kind !== 'close').map((c) => c.eventId).sort()).toEqual(events.map((e) => e.id).sort());
  });
});
