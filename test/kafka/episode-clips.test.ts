// Episode clips where the camera runs as a Kafka ingest process — `facestream stage ingest --camera --source`, and a
// camera child of an ingest worker (`stage ingest` without a source, the job on the `cameras` topic), real processes
// on the real broker: the padded head-pose clip is ingested with clips on; the test plays the episodes stage's part
// with the real serde — an episode of this camera over seconds 5–8 of the file (times from --start-time, or from the
// worker's first frame), one of another camera, then the camera's end-of-stream marker in every partition of
// `episodes`, as the stage passes it on. The process writes clips/<camera>/<episode>.mp4 into the frame store (what
// serve, on the same frame_store.dir, serves as GET /episodes/{id}/clip) and ends once the markers came.
// The same with every stage a process: episode-clips-distributed.test.ts.
import { spawn } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { pino } from 'pino';
import { describe, expect, it, onTestFinished } from 'vitest';
import { camerasTopicName, ensureCamerasTopic } from '../../pipelines/cameras/kafka-jobs/cameras-topic.ts';
import { endOfStreamHeaders } from '../../pipelines/runtime/kafka/control.ts';
import { kafkaNames } from '../../pipelines/runtime/kafka/names.ts';
import type { CameraJob } from '../../schemas/generated/avro-types.ts';
import type { EpisodeChange, Frame } from '../../schemas/records.ts';
import { createTopicSerde } from '../../schemas/serde/topic-serde.ts';
import { clipPath, clipsRoot } from '../../stores/frames/layout.ts';
import { REPO } from '../paths.ts';
import { kafkaBrokers, uniqueTopic } from '../support/kafka.ts';
import { readUntil } from '../support/topic-reader.ts';
import { clipsSetup, expectClip } from './episode-clips-testing.ts';

const CAMERA = 'door 1';
/** the episode, s of the padded file (its people are seen from 4 s on) */
const EPISODE = { from: 5, to: 8 };

const logger = pino({ level: 'silent' });

function change(kind: EpisodeChange['kind'], episodeId: string, cameras: string[], startTs: number, endTs: number): EpisodeChange {
  return { kind, episodeId, scope: 'all', eventId: kind === 'close' ? null : `${episodeId}-${kind}`, duplicateOf: null, bestEventId: `${episodeId}-open`, eventsCount: 1, dossier: null, cameras, startTs, endTs, startT: 0, endT: 0 };
}

const MODES = [
  { mode: 'a standalone camera process (stage ingest --camera --source)', worker: false },
  { mode: 'a camera child of an ingest worker (its job on the cameras topic)', worker: true },
];

describe('clips of a camera run as a Kafka ingest process', () => {
  it.each(MODES)('$mode follows the episodes topic, writes the episode’s clip into the frame store and ends after the camera’s end of stream', async ({ worker }) => {
    const setup = await clipsSetup();
    onTestFinished(() => setup.close());
    const brokers = await kafkaBrokers();
    const prefix = `${uniqueTopic('clips')}.`;
    const kafka = new Kafka({ brokers, clientId: 'clips-test', logLevel: logLevel.NOTHING });
    const serde = createTopicSerde({ registryUrl: setup.registry.url, topicPrefix: prefix, logger });
    await serde.registerAll();
    const startS = Math.floor(Date.now() / 1000) - 60;
    const camera = worker ? [] : ['--camera', CAMERA, '--source', setup.video, '--start-time', String(startS)];
    const child = spawn(process.execPath, [join(REPO, 'bin/facestream.js'), 'stage', 'ingest', '--topology', 'distributed', '--instance', 'door', ...camera, '--config', setup.config], {
      cwd: REPO,
      env: { ...process.env, KAFKA_BROKERS: brokers.join(','), SCHEMA_REGISTRY_URL: setup.registry.url, FACESTREAM_TOPIC_PREFIX: prefix },
    });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    const producer = kafka.producer();
    const admin = kafka.admin();
    const waitFor = async (what: string, ...texts: string[]) => {
      for (let i = 0; i < 1200 && !texts.every((t) => output.includes(t)); i++) await new Promise((r) => setTimeout(r, 100));
      expect(texts.every((t) => output.includes(t)), `${what}:\n${output.slice(-3000)}`).toBe(true);
    };
    try {
      await producer.connect();
      await admin.connect();
      if (worker) {
        await ensureCamerasTopic(admin, prefix);
        const job: CameraJob = { cameraId: CAMERA, name: CAMERA, url: setup.video, enabled: true, version: 1, fps: null, group: null, confidenceThreshold: null, settings: {}, restarts: 0 };
        await producer.send({ topic: camerasTopicName(prefix), acks: -1, messages: [{ key: serde.encodeKey('cameras', CAMERA), value: serde.encodeValue('cameras', job) }] });
      }
      // following before the file is read, and the file read (every frame's time known) before the episodes come
      await waitFor('the file read', 'clips: following episodes', '"msg":"end of stream"');
      // the worker dates a file's frames from when it started the job: the frames say when that was
      const first = worker ? ((await readUntil(kafka, kafkaNames(prefix).topic('frames'), serde, (records) => records.length > 0))[0]!.value as Frame) : null;
      const baseMs = first ? first.ts - first.t_s * 1000 : startS * 1000;
      const topic = kafkaNames(prefix).topic('episodes');
      const at = (s: number) => baseMs + s * 1000;
      const send = (c: EpisodeChange) => producer.send({ topic, acks: -1, messages: [{ key: serde.encodeKey('episodes', c.scope), value: serde.encodeValue('episodes', c) }] });
      await send(change('open', 'ep-other', ['elsewhere'], at(EPISODE.from), at(EPISODE.from)));
      await send(change('open', 'ep-door', [CAMERA], at(EPISODE.from), at(EPISODE.from)));
      await send(change('event', 'ep-door', [CAMERA], at(EPISODE.from), at(EPISODE.to)));
      await send(change('close', 'ep-door', [CAMERA], at(EPISODE.from), at(EPISODE.to)));
      const partitions = (await admin.fetchTopicOffsets(topic)).map((p) => p.partition);
      for (const partition of partitions) await producer.send({ topic, acks: -1, messages: [{ partition, key: serde.encodeKey('episodes', CAMERA), value: null, headers: endOfStreamHeaders() }] });

      if (worker) {
        // a file's child ends by itself and is not restarted
        await waitFor('the camera’s child finished', `camera@${CAMERA} finished (code 0)`);
        child.kill('SIGTERM');
      }
      expect(await exited, output.slice(-3000)).toBe(0);
      expect(output).toMatch(/"endOfStream":true,"msg":"clips: the camera’s episodes are over"/);
      const path = clipPath(clipsRoot(setup.store), CAMERA, 'ep-door');
      expect(output).toContain(`"path":${JSON.stringify(path)}`);
      // the other camera's episode made nothing here
      expect(await readdir(clipsRoot(setup.store))).toEqual([encodeURIComponent(CAMERA)]);
      await expectClip(path, EPISODE.to - EPISODE.from);
    } finally {
      await admin.disconnect();
      await producer.disconnect();
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    }
  }, 120_000);
});
