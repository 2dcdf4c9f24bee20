// Enrolments reach matchers over Kafka, end to end: `facestream serve` (in this process, against the real broker, a
// schema registry, and the identity store on the real PostgreSQL server or in PGlite) enrols a real photo through
// the API; a matcher following the `dossiers` topic (what each `facestream stage match` runs) then finds that
// person from another photo of them, and stops finding them once the face is deleted, the dossier or its watch
// list deactivated. A matcher started later reads every enrolment from the beginning before it is ready, and faces
// committed while no relay ran (a crash between commit and publish) are published when serve starts again.
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FaceService } from '../../api/photos/face-service.ts';
import { multipart, testFaces } from '../../api/testing.ts';
import { serve, type Served } from '../../cli/serve.ts';
import { createKafkaClient } from '../../cli/kafka-client.ts';
import type { DossiersFollower } from '../../enrolment/watchlist-sync/kafka-follower.ts';
import { syncIndexFromKafka } from '../../enrolment/watchlist-sync/matcher-sync.ts';
import type { FaceModels } from '../../models/face-models.types.ts';
import { readPhoto } from '../../models/image/read-photo.ts';
import { deepfacePath } from '../../models/testing/deepface.ts';
import { createExactFaceIndex, watchListFromFaces, type FaceIndex } from '../../pipelines/match/index.ts';
import { LiveFaceIndex } from '../../pipelines/match/live-index.ts';
import { startSchemaRegistry, type SchemaRegistryServer } from '../../schemas/registry/server.ts';
import { createTopicSerde, type TopicSerde } from '../../schemas/serde/topic-serde.ts';
import { openDatabase } from '../../stores/postgres/open.ts';
import { createDossierFace } from '../../stores/postgres/repositories/dossier-faces.ts';
import { outboxLength } from '../../stores/postgres/repositories/dossier-face-outbox.ts';
import { createDossier } from '../../stores/postgres/repositories/dossiers.ts';
import { kafkaBrokers, uniqueTopic } from '../support/kafka.ts';
import { freshDatabase } from '../support/postgres.ts';

const logger = pino({ level: 'silent' });
const PASSWORD = 'dossiers-sync-test';
// master.csv: img1 and img2 are one person (A), img20 and img21 another (B)
const A_ENROLLED = 'img1.jpg';
const A_PROBE = 'img2.jpg';
const B_ENROLLED = 'img20.jpg';
const B_PROBE = 'img21.jpg';

let models: FaceModels;
let faces: FaceService;
let registry: SchemaRegistryServer;
let brokers: string[];
const probes = new Map<string, Float32Array>();

beforeAll(async () => {
  brokers = await kafkaBrokers();
  registry = await startSchemaRegistry({ port: 0 });
  ({ models, faces } = await testFaces());
  for (const file of [A_PROBE, B_ENROLLED, B_PROBE]) probes.set(file, (await faces.probe(await readPhoto(deepfacePath(file)), file)).vector);
});
afterAll(async () => {
  await models?.close();
  await registry?.close();
});

describe.each(['postgres', 'pglite'] as const)('enrolments reach matchers over Kafka [%s]', (kind) => {
  let dataDir: string;
  let env: NodeJS.ProcessEnv;
  let served: Served | undefined;
  let token = '';
  let serde: TopicSerde;
  const followers: DossiersFollower[] = [];
  const indexes: FaceIndex[] = [];

  const start = async () => {
    served = await serve({ api: { port: 0 }, dataDir, logLevel: 'silent', env, say: () => undefined });
    const login = await fetch(`${served.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: PASSWORD }) });
    token = ((await login.json()) as { key: string }).key;
  };
  const api = async (method: string, path: string, body?: unknown): Promise<{ id: number }> => {
    const r = await fetch(`${served!.url}/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    expect(r.status, `${method} ${path}`).toBeLessThan(300);
    return r.status === 204 ? { id: 0 } : ((await r.json()) as { id: number });
  };
  const enrol = async (dossier: number, file: string): Promise<number> => {
    const { payload, headers } = multipart([{ name: 'dossier', value: String(dossier) }, { name: 'source_photo', filename: file, type: 'image/jpeg', value: readFileSync(deepfacePath(file)) }]);
    const r = await fetch(`${served!.url}/api/v1/dossier-faces`, { method: 'POST', headers: { authorization: `Bearer ${token}`, ...headers }, body: payload });
    expect(r.status, await r.clone().text()).toBe(201);
    return ((await r.json()) as { id: number }).id;
  };
  /** a matcher: an index fed from the topic, ready once the topic is read to its end */
  const matcher = async (): Promise<FaceIndex> => {
    const index = new LiveFaceIndex(createExactFaceIndex(watchListFromFaces([])));
    const kafka = createKafkaClient({ brokers, clientId: 'dossiers-sync-test', logger });
    followers.push(await syncIndexFromKafka({ kafka, serde, topicPrefix: env['FACESTREAM_TOPIC_PREFIX']!, index, modelId: faces.modelId, logger }));
    indexes.push(index);
    return index;
  };
  /** the dossier the matcher names for a photo, when it is a match */
  const identify = async (index: FaceIndex, probe: string): Promise<string | undefined> => {
    const best = (await index.search(probes.get(probe)!, 1))[0];
    return best && best.confidence >= faces.confidenceThreshold ? best.dossier : undefined;
  };

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), `fs-dossiers-${kind}-`));
    env = {
      ...process.env,
      KAFKA_BROKERS: brokers.join(','),
      SCHEMA_REGISTRY_URL: registry.url,
      FACESTREAM_TOPIC_PREFIX: `${uniqueTopic('dossiers-sync')}.`,
      FACESTREAM_ADMIN_PASSWORD: PASSWORD,
    };
    delete env['CLICKHOUSE_URL'];
    delete env['DATABASE_URL'];
    if (kind === 'postgres') env['DATABASE_URL'] = await freshDatabase('dossiers_sync');
    serde = createTopicSerde({ registryUrl: registry.url, topicPrefix: env['FACESTREAM_TOPIC_PREFIX'], logger });
    await serde.registerAll();
    await start();
  });
  afterAll(async () => {
    for (const f of followers) await f.stop();
    for (const i of indexes) await i.close();
    await served?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  let matcherA: FaceIndex;
  let wanted = 0;
  let anna = 0;

  it('an enrolled photo is found from another photo of the person; deleting the face drops it', async () => {
    matcherA = await matcher();
    wanted = (await api('POST', '/watch-lists', { name: 'wanted' })).id;
    anna = (await api('POST', '/dossiers', { name: 'Anna', watch_list_ids: [wanted] })).id;
    expect(await identify(matcherA, A_PROBE)).toBeUndefined();

    const face = await enrol(anna, A_ENROLLED);
    await expect.poll(() => identify(matcherA, A_PROBE), { timeout: 15_000 }).toBe(String(anna));
    expect((await matcherA.search(probes.get(A_PROBE)!, 1))[0]).toMatchObject({ dossierFace: String(face), watchList: String(wanted) });
    expect(await identify(matcherA, B_PROBE)).toBeUndefined();

    await api('DELETE', `/dossier-faces/${face}`);
    await expect.poll(() => identify(matcherA, A_PROBE), { timeout: 15_000 }).toBeUndefined();
    expect(matcherA.size).toBe(0);
  });

  it('deactivating the dossier, then its watch list, drops its faces; reactivating brings them back', async () => {
    await enrol(anna, A_ENROLLED);
    await expect.poll(() => identify(matcherA, A_PROBE), { timeout: 15_000 }).toBe(String(anna));

    await api('PATCH', `/dossiers/${anna}`, { active: false });
    await expect.poll(() => identify(matcherA, A_PROBE), { timeout: 15_000 }).toBeUndefined();
    await api('PATCH', `/dossiers/${anna}`, { active: true });
    await expect.poll(() => identify(matcherA, A_PROBE), { timeout: 15_000 }).toBe(String(anna));

    await api('PATCH', `/watch-lists/${wanted}`, { active: false });
    await expect.poll(() => identify(matcherA, A_PROBE), { timeout: 15_000 }).toBeUndefined();
    await api('PATCH', `/watch-lists/${wanted}`, { active: true });
    await expect.poll(() => identify(matcherA, A_PROBE), { timeout: 15_000 }).toBe(String(anna));
  });

  it('a matcher started after the enrolments has them all once it is ready', async () => {
    const late = await matcher();
    expect(await identify(late, A_PROBE)).toBe(String(anna));
    expect(late.size).toBe(matcherA.size);
  });

  it('faces committed while no relay ran are published when it starts again', async () => {
    await served!.stop();
    served = undefined;
    // the commit happened, the publish did not: the outbox keeps the rows
    const { db } = await openDatabase(kind === 'postgres' ? { url: env['DATABASE_URL']! } : { dataDir: join(dataDir, 'postgres') });
    let boris = 0;
    try {
      boris = (await createDossier(db, { name: 'Boris', watch_list_ids: [wanted] })).id;
      await createDossierFace(db, { dossier_id: boris, model_id: faces.modelId, embedding: probes.get(B_ENROLLED)!, quality: -1, bbox: { left: 0, top: 0, right: 10, bottom: 10 } });
      expect(await outboxLength(db)).toBeGreaterThan(0);
    } finally {
      await db.close();
    }
    await new Promise((r) => setTimeout(r, 500));
    expect(await identify(matcherA, B_PROBE)).toBeUndefined();

    await start();
    await expect.poll(() => identify(matcherA, B_PROBE), { timeout: 15_000 }).toBe(String(boris));
    expect(await identify(matcherA, A_PROBE)).toBe(String(anna));
  });
});
