// `facestream stage notify --topology distributed` (its own process) over the real broker: webhooks in a real
// PostgreSQL server (DATABASE_URL), events and episode changes produced to `matches` and `episodes`, delivered to a
// local receiver. A webhook that always answers 500 is retried while a healthy one gets every event, and the stage
// keeps consuming (its input is never held up by a receiver).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka } from 'kafkajs';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topicCodecs } from '../../pipelines/runtime/kafka/wire.ts';
import { Receiver } from '../../pipelines/notify/testing/receiver.ts';
import type { EpisodeChange, FaceEvent } from '../../schemas/records.ts';
import { startSchemaRegistry, type SchemaRegistryServer } from '../../schemas/registry/server.ts';
import { createTopicSerde, type TopicSerde } from '../../schemas/serde/topic-serde.ts';
import { testEvent } from '../../stores/clickhouse/test-events.ts';
import type { Db } from '../../stores/postgres/db.ts';
import { openDatabase } from '../../stores/postgres/open.ts';
import { createWebhook } from '../../stores/postgres/repositories/webhooks.ts';
import { REPO } from '../paths.ts';
import { kafkaBrokers, uniqueTopic } from '../support/kafka.ts';
import { freshDatabase } from '../support/postgres.ts';

const logger = pino({ level: 'silent' });

describe('stage notify over Kafka (real broker, real PostgreSQL)', () => {
  let registry: SchemaRegistryServer;
  let serde: TopicSerde;
  let kafka: Kafka;
  let db: Db;
  let dbUrl: string;
  let receiver: Receiver;
  let base: string;
  let child: ChildProcess | undefined;
  let dir: string;
  const prefix = `${uniqueTopic('notify')}.`;

  beforeAll(async () => {
    registry = await startSchemaRegistry({ port: 0 });
    serde = createTopicSerde({ registryUrl: registry.url, topicPrefix: prefix, logger });
    await serde.registerAll();
    kafka = new Kafka({ clientId: 'notify-test', brokers: await kafkaBrokers(), logLevel: 0 });
    dbUrl = await freshDatabase('notify');
    ({ db } = await openDatabase({ url: dbUrl }));
    receiver = new Receiver();
    base = await receiver.listen();
    dir = await mkdtemp(join(tmpdir(), 'fs-notify-'));
  });
  afterAll(async () => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    await receiver?.close();
    await db?.close();
    await registry?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('delivers to a healthy webhook while another is retried, and stops cleanly', async () => {
    receiver.script.set('/dead', [500]);
    await createWebhook(db, { name: 'healthy', url: `${base}/healthy`, max_batch_size: 10, filters: { events: { matched: true } } });
    await createWebhook(db, { name: 'dead', url: `${base}/dead`, max_batch_size: 10, max_attempts: 100, filters: { events: {} } });
    await createWebhook(db, { name: 'episodes', url: `${base}/episodes`, max_batch_size: 10, filters: { episodes: {} } });

    const env: NodeJS.ProcessEnv = { ...process.env, KAFKA_BROKERS: (await kafkaBrokers()).join(','), SCHEMA_REGISTRY_URL: registry.url, FACESTREAM_TOPIC_PREFIX: prefix, DATABASE_URL: dbUrl };
    delete env['CLICKHOUSE_URL']; // the delivery log goes to the process log only: said at start
    // the receiver is on loopback, which FindFace's deny-networks refuse unless allowed
    const config = join(dir, 'config.json');
    await writeFile(config, JSON.stringify({ api: { allowed_networks: ['127.0.0.0/8'] } }));
    child = spawn(process.execPath, [join(REPO, 'bin/facestream.js'), 'stage', 'notify', '--topology', 'distributed', '--config', config, '--log-level', 'info'], { cwd: REPO, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout!.setEncoding('utf8').on('data', (c: string) => (out += c));
    child.stderr!.setEncoding('utf8').on('data', (c: string) => (out += c));
    const exited = new Promise<number | null>((resolve) => child!.on('exit', resolve));

    await expect.poll(() => out, { timeout: 60_000, interval: 200 }).toMatch(/"webhooks":3/);
    expect(out).toMatch(/process log only/);
    // all three stages consume before anything is sent (the process creates the topics it reads)
    await expect.poll(() => out.match(/stage consuming/g)?.length ?? 0, { timeout: 60_000, interval: 200 }).toBe(3);

    const producer = kafka.producer();
    await producer.connect();
    try {
      const codecs = topicCodecs({ format: 'jpeg', jpegQuality: 90, cropJpegQuality: 95, frameMaxWidth: 1280 });
      const now = Date.now();
      const events: FaceEvent[] = Array.from({ length: 25 }, (_, i) => testEvent({ id: `k${i}`, ts: now + i, camera: 'cam-k', dossier: i % 5 === 0 ? null : `d${i}`, watchList: '7' }));
      const changes: EpisodeChange[] = [
        { kind: 'open', episodeId: 'ep-k', scope: 's', eventId: 'k1', duplicateOf: null, bestEventId: 'k1', eventsCount: 1, dossier: 'd1', cameras: ['cam-k'], startTs: now, endTs: now, startT: 0, endT: 0 },
        { kind: 'close', episodeId: 'ep-k', scope: 's', eventId: null, duplicateOf: null, bestEventId: 'k1', eventsCount: 1, dossier: 'd1', cameras: ['cam-k'], startTs: now, endTs: now, startT: 0, endT: 0 },
      ];
      await producer.send({
        topic: `${prefix}matches`,
        messages: await Promise.all(events.map(async (e) => ({ key: serde.encodeKey('matches', 'cam-k'), value: serde.encodeValue('matches', (await codecs.matches.toWire(e)) as never) }))),
      });
      await producer.send({
        topic: `${prefix}episodes`,
        messages: await Promise.all(changes.map(async (c) => ({ key: serde.encodeKey('episodes', 's'), value: serde.encodeValue('episodes', (await codecs.episodes.toWire(c)) as never) }))),
      });
      const matched = events.filter((e) => e.matched).map((e) => e.id);
      await expect.poll(() => receiver.bodies('/healthy').flat().length, { timeout: 60_000, interval: 100 }).toBe(matched.length);
      expect(receiver.bodies('/healthy').flat().map((e) => e.id)).toEqual(matched);
      expect(receiver.bodies('/healthy').every((b) => b.length <= 10)).toBe(true);
      await expect.poll(() => receiver.bodies('/episodes').flat().length, { timeout: 60_000, interval: 100 }).toBe(2);
      // the dead webhook was tried and is being retried, never accepted
      expect(receiver.hits.get('/dead') ?? 0).toBeGreaterThanOrEqual(1);
      expect(receiver.bodies('/dead')).toEqual([]);
      await expect.poll(() => out, { timeout: 30_000, interval: 200 }).toMatch(/error sending webhook: HTTP 500; attempt \d+ out of 100/);
    } finally {
      await producer.disconnect();
    }

    child.kill('SIGTERM');
    expect(await exited, out.slice(-3000)).toBe(0);
    // what still waited for the dead webhook is logged as dropped, not lost silently
    expect(out).toMatch(/webhook (batch|objects) dropped/);
  }, 180_000);
});
