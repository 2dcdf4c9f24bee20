import { createServer } from 'node:net';
import avro from 'avsc';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadAvroContracts } from '../avro/contracts.ts';
import { startSchemaRegistry } from '../registry/server.ts';
import type { SchemaRegistryServer } from '../registry/server.ts';
import { TOPIC_NAMES } from '../topics.ts';
import { SchemaRegistrationError, SchemaRegistryUnreachable, WireFormatError, isSchemaSerdeError } from './errors.ts';
import { SAMPLE_KEYS, SAMPLE_VALUES } from './samples.ts';
import { createTopicSerde } from './topic-serde.ts';
import type { TopicSerde, TopicSerdeOptions } from './topic-serde.ts';
import { frame } from './wire-format.ts';

const contracts = loadAvroContracts();

function quietLogger(): TopicSerdeOptions['logger'] & { readonly warnings: string[] } {
  const warnings: string[] = [];
  return { info: () => undefined, warn: (...args: unknown[]) => void warnings.push(args.map(String).join(' ')), warnings };
}

async function post(url: string, path: string, body: unknown, method = 'POST'): Promise<{ status: number; body: { [k: string]: unknown } }> {
  const res = await fetch(`${url}${path}`, { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as { [k: string]: unknown } };
}

/** a port nothing listens on */
async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const address = srv.address();
  const port = typeof address === 'object' && address !== null ? address.port : 1;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

async function codeOf(p: Promise<unknown> | (() => unknown)): Promise<{ code: string; retryable: boolean; name: string }> {
  try {
    if (typeof p === 'function') p();
    else await p;
  } catch (e) {
    if (isSchemaSerdeError(e)) return { code: e.code, retryable: e.retryable, name: e.name };
    throw e;
  }
  throw new Error('expected a schema error, got none');
}

describe('topic serde against the registry over HTTP', () => {
  let registry: SchemaRegistryServer;
  let serde: TopicSerde;

  beforeAll(async () => {
    registry = await startSchemaRegistry();
    serde = createTopicSerde({ registryUrl: registry.url, topicPrefix: 'site1.', logger: quietLogger(), contracts });
    await serde.registerAll();
  });
  afterAll(async () => {
    await registry.close();
  });

  it('registers a key and a value subject per topic, by TopicNameStrategy with the prefix, at BACKWARD', async () => {
    const subjects = (await (await fetch(`${registry.url}/subjects`)).json()) as string[];
    expect(subjects).toHaveLength(TOPIC_NAMES.length * 2);
    expect(subjects).toContain('site1.matches-value');
    expect(subjects).toContain('site1.dead-letter-key');
    for (const s of subjects) {
      expect(await (await fetch(`${registry.url}/config/${s}`)).json(), s).toEqual({ compatibilityLevel: 'BACKWARD' });
    }
    // the registered value schema is the self-contained expansion, readable by any client without references
    const latest = (await (await fetch(`${registry.url}/subjects/site1.matches-value/versions/latest`)).json()) as { schema: string };
    expect(avro.Type.forSchema(JSON.parse(latest.schema) as avro.Schema).name).toBe('facestream.FaceEvent');
    // all string keys share one schema id, as in Confluent
    const ids = serde.registeredIds();
    expect(ids.get('site1.frames-key')).toBe(ids.get('site1.cameras-key'));

    // registering again (a restarted stage) changes nothing and gives the same ids
    const again = createTopicSerde({ registryUrl: registry.url, topicPrefix: 'site1.', logger: quietLogger(), contracts });
    await again.registerAll();
    expect([...again.registeredIds()]).toEqual([...ids]);
    expect(await (await fetch(`${registry.url}/subjects/site1.matches-value/versions`)).json()).toEqual([1]);
  });

  for (const topic of TOPIC_NAMES) {
    it(`round-trips a ${topic} key and value`, async () => {
      const key = serde.encodeKey(topic, SAMPLE_KEYS[topic]);
      const value = serde.encodeValue(topic, SAMPLE_VALUES[topic]);
      expect(key[0]).toBe(0);
      expect(value.readInt32BE(1)).toBe(serde.registeredIds().get(`site1.${topic}-value`));
      expect(await serde.decodeKey(topic, key)).toEqual(SAMPLE_KEYS[topic]);
      expect(await serde.decodeValue(topic, value)).toEqual(SAMPLE_VALUES[topic]);
      expect(await serde.decode(value)).toEqual(SAMPLE_VALUES[topic]);
      expect(await serde.decode(key)).toEqual(SAMPLE_KEYS[topic]);
    });
  }

  it('frames stay under the ~300 KB budget with a realistic JPEG', () => {
    expect(serde.encodeValue('frames', SAMPLE_VALUES.frames).length).toBeLessThan(300_000);
  });

  it('rejects a wrong magic byte, a short buffer, a truncated or overlong body', async () => {
    const good = serde.encodeValue('matches', SAMPLE_VALUES.matches);
    const badMagic = Buffer.from(good);
    badMagic[0] = 1;
    expect(await codeOf(serde.decodeValue('matches', badMagic))).toEqual({ code: 'bad_magic_byte', retryable: false, name: 'WireFormatError' });
    expect((await codeOf(serde.decode(Buffer.from([0, 0, 0])))).code).toBe('too_short');
    expect((await codeOf(serde.decodeValue('matches', good.subarray(0, good.length - 40)))).code).toBe('truncated_body');
    expect((await codeOf(serde.decodeValue('matches', good.subarray(0, 60)))).code).toBe('truncated_body');
    expect((await codeOf(serde.decodeValue('matches', Buffer.concat([good, Buffer.from([1, 2])])))).code).toBe('trailing_bytes');
  });

  it('reports an id the registry does not know', async () => {
    const e = await codeOf(serde.decode(frame(9_999, Buffer.from([2, 65]))));
    expect(e).toEqual({ code: 'unknown_schema_id', retryable: false, name: 'WireFormatError' });
  });

  it('refuses to read one topic as another', async () => {
    const frames = serde.encodeValue('frames', SAMPLE_VALUES.frames);
    expect((await codeOf(serde.decodeValue('matches', frames))).code).toBe('schema_mismatch');
    expect((await codeOf(serde.decodeKey('matches', frames))).code).toBe('schema_mismatch');
    // Avro promotes string to bytes, so a string key does read as dead-letter's bytes key
    expect(await serde.decodeKey('dead-letter', serde.encodeKey('matches', 'cam'))).toEqual(Buffer.from('cam'));
  });

  it('resolves data written with an older or a newer schema into the current one', async () => {
    const current = contracts.expandedSchema('EpisodeChange') as { fields: Array<{ name: string }> };
    // older writer: no `dossier` field yet (ours has default null)
    const older = { ...current, fields: current.fields.filter((fl) => fl.name !== 'dossier') };
    // newer writer: an extra field we do not know yet
    const newer = { ...current, fields: [...current.fields, { name: 'zone', type: 'string', default: '', doc: 'zone' }] };
    const value = { ...SAMPLE_VALUES.episodes, dossier: 'd-1' };
    for (const [subject, schema, expected] of [
      ['old-producer-value', older, { ...value, dossier: null }],
      ['new-producer-value', newer, value],
    ] as const) {
      const { body } = await post(registry.url, `/subjects/${subject}/versions`, { schema: JSON.stringify(schema) });
      const writer = avro.Type.forSchema(schema as avro.Schema);
      const bytes = frame(body['id'] as number, writer.toBuffer({ ...value, zone: 'north' }));
      expect(await serde.decodeValue('episodes', bytes)).toEqual(expected);
      expect(await serde.decode(bytes)).toEqual(expected);
    }
  });

  it('keeps the body of a record in our current schema, and writes it into an output field as it is', async () => {
    const embedding = serde.encodeValue('embeddings', SAMPLE_VALUES.embeddings);
    const { value, encoded } = await serde.decodeKeepingBody(embedding);
    expect(value).toEqual(SAMPLE_VALUES.embeddings);
    expect(encoded?.typeName).toBe('facestream.FaceEmbedding');
    expect(encoded?.body).toEqual(embedding.subarray(5));
    // the same bytes as encoding the decoded value, with a slab too small for the body at first
    const small = createTopicSerde({ registryUrl: registry.url, topicPrefix: 'site1.', logger: quietLogger(), contracts });
    await small.registerAll();
    const event = { ...SAMPLE_VALUES.matches, embedding: value as typeof SAMPLE_VALUES.embeddings };
    const big = { ...event, embedding: { ...event.embedding, vector: Buffer.alloc(300_000, 7) } };
    const bigBody = (await serde.decodeKeepingBody(serde.encodeValue('embeddings', big.embedding))).encoded!.detached();
    expect(small.encodeValue('matches', { ...big, embedding: bigBody as never })).toEqual(serde.encodeValue('matches', big));
    expect(serde.encodeValue('matches', { ...event, embedding: encoded! as never })).toEqual(serde.encodeValue('matches', event));
    // a body of another record type is refused, not written where it does not belong
    const post = (await serde.decodeKeepingBody(serde.encodeValue('faces', SAMPLE_VALUES.faces))).encoded!;
    expect(post.typeName).toBe('facestream.FacePost');
    expect(() => serde.encodeValue('matches', { ...event, embedding: post as never })).toThrow(/holds the Avro body of facestream.FacePost/);
  });

  it('keeps no body of data that needed resolving (an older writer) or of a key', async () => {
    const current = contracts.expandedSchema('EpisodeChange') as { fields: Array<{ name: string }> };
    const older = { ...current, fields: current.fields.filter((fl) => fl.name !== 'dossier') };
    const { body } = await post(registry.url, '/subjects/older-episodes-value/versions', { schema: JSON.stringify(older) });
    const bytes = frame(body['id'] as number, avro.Type.forSchema(older as avro.Schema).toBuffer(SAMPLE_VALUES.episodes));
    expect((await serde.decodeKeepingBody(bytes)).encoded).toBeNull();
    expect((await serde.decodeKeepingBody(serde.encodeValue('episodes', SAMPLE_VALUES.episodes))).encoded).not.toBeNull();
    expect((await serde.decodeKeepingBody(serde.encodeKey('matches', 'cam'))).encoded).toBeNull();
  });

  it('names the fields of a value that does not fit', () => {
    const broken = { ...SAMPLE_VALUES.frames, width: 'wide' } as unknown as typeof SAMPLE_VALUES.frames;
    try {
      serde.encodeValue('frames', broken);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(WireFormatError);
      expect((e as WireFormatError).code).toBe('invalid_value');
      expect((e as WireFormatError).paths).toEqual(['width']);
    }
  });

  it('will not encode before registerAll()', async () => {
    const fresh = createTopicSerde({ registryUrl: registry.url, logger: quietLogger(), contracts });
    expect((await codeOf(() => fresh.encodeKey('frames', 'cam'))).code).toBe('not_registered');
  });

  it('stops at an incompatible subject or one at another level, without retrying', async () => {
    // someone registered a Frame without seq under our subject: ours adds seq without default, not BACKWARD
    await post(registry.url, '/subjects/inc.frames-value/versions', {
      schema: JSON.stringify({ type: 'record', name: 'Frame', namespace: 'facestream', fields: [{ name: 'camera', type: 'string' }] }),
    });
    const logger = quietLogger();
    const inc = createTopicSerde({ registryUrl: registry.url, topicPrefix: 'inc.', logger, contracts });
    const e = await inc.registerAll().catch((err: unknown) => err);
    expect(e).toBeInstanceOf(SchemaRegistrationError);
    expect(e).toMatchObject({ code: 'incompatible_schema', subject: 'inc.frames-value', retryable: false });
    expect(logger.warnings).toEqual([]);

    await post(registry.url, '/config/cm.frames-key', { compatibility: 'FULL' }, 'PUT');
    const cm = createTopicSerde({ registryUrl: registry.url, topicPrefix: 'cm.', logger, contracts });
    await expect(cm.registerAll()).rejects.toMatchObject({ code: 'compatibility_mismatch', subject: 'cm.frames-key' });
  });
});

describe('topic serde without a registry', () => {
  it('retries with one warning line per attempt, then throws SchemaRegistryUnreachable', async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    const logger = quietLogger();
    const serde = createTopicSerde({
      registryUrl: url,
      logger,
      contracts,
      requestRetries: 0,
      registerRetry: { attempts: 3, initialDelayMs: 10, maxDelayMs: 20 },
    });
    const e = await serde.registerAll().catch((err: unknown) => err);
    expect(e).toBeInstanceOf(SchemaRegistryUnreachable);
    expect(e).toMatchObject({ code: 'registry_unreachable', retryable: true, registryUrl: url });
    expect(String((e as Error).message)).toMatch(/unreachable after 3 attempts .*ECONNREFUSED.*SCHEMA_REGISTRY_URL/);
    expect(logger.warnings).toHaveLength(2);
    for (const w of logger.warnings) {
      expect(w).not.toContain('\n');
      expect(w).toMatch(/^schema registry http:\/\/127\.0\.0\.1:\d+ unreachable \(ECONNREFUSED\); attempt \d\/3, retrying in \d+ ms$/);
    }
  });

  it('does not hang on a registry that accepts connections and never answers', async () => {
    const sockets = new Set<import('node:net').Socket>();
    const blackHole = createServer((socket) => void sockets.add(socket));
    await new Promise<void>((r) => blackHole.listen(0, '127.0.0.1', r));
    const address = blackHole.address();
    const port = typeof address === 'object' && address !== null ? address.port : 1;
    try {
      const logger = quietLogger();
      const serde = createTopicSerde({
        registryUrl: `http://127.0.0.1:${port}`,
        logger,
        contracts,
        requestTimeoutMs: 150,
        requestRetries: 0,
        registerRetry: { attempts: 2, initialDelayMs: 10 },
      });
      await expect(serde.registerAll()).rejects.toBeInstanceOf(SchemaRegistryUnreachable);
      expect(logger.warnings[0]).toContain('unreachable (timeout)');
      // the Confluent client's requests time out too (mappersmith has no timeout of its own)
      expect((await codeOf(serde.decode(frame(1, Buffer.from([2, 65]))))).code).toBe('registry_unreachable');
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => blackHole.close(() => r()));
    }
  });

  it('flags a decode that needs the registry as retryable', async () => {
    const serde = createTopicSerde({ registryUrl: `http://127.0.0.1:${await closedPort()}`, logger: quietLogger(), contracts, requestRetries: 0 });
    expect(await codeOf(serde.decode(frame(1, Buffer.from([2, 65]))))).toEqual({
      code: 'registry_unreachable',
      retryable: true,
      name: 'WireFormatError',
    });
  });
});
