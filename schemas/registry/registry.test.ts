import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SchemaRegistry, SchemaType, COMPATIBILITY } from '@kafkajs/confluent-schema-registry';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startSchemaRegistry } from './server.ts';
import type { SchemaRegistryServer } from './server.ts';
import { STATE_FILE } from './store.ts';

const CT = 'application/vnd.schemaregistry.v1+json';

const userV1 = {
  type: 'record',
  name: 'User',
  namespace: 'test',
  doc: 'a user',
  fields: [{ name: 'name', type: 'string', doc: 'name' }],
};
const userWithAge = (withDefault: boolean): object => ({
  ...userV1,
  fields: [...userV1.fields, withDefault ? { name: 'age', type: 'int', default: 0 } : { name: 'age', type: 'int' }],
});

interface Json {
  readonly status: number;
  readonly body: { readonly [k: string]: unknown } & { readonly error_code?: number };
  readonly contentType: string | null;
}

async function call(base: string, method: string, path: string, body?: unknown, contentType = CT): Promise<Json> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': contentType },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Json['body'], contentType: res.headers.get('content-type') };
}

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'schema-registry-'));
  dirs.push(d);
  return d;
}
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('schema registry over HTTP', () => {
  let server: SchemaRegistryServer;
  let base: string;
  beforeEach(async () => {
    server = await startSchemaRegistry();
    base = server.url;
  });
  afterEach(async () => {
    await server.close();
    await server.close(); // twice is fine
  });

  it('registers, looks up and returns the latest with the Confluent client', async () => {
    const client = new SchemaRegistry({ host: base });
    const { id } = await client.register(
      { type: SchemaType.AVRO, schema: JSON.stringify(userV1) },
      { subject: 'users-value', compatibility: COMPATIBILITY.BACKWARD },
    );
    expect(id).toBe(1);
    expect(await client.getLatestSchemaId('users-value')).toBe(1);
    expect(await client.getRegistryIdBySchema('users-value', { type: SchemaType.AVRO, schema: JSON.stringify(userV1) })).toBe(1);
    expect(await client.getRegistryId('users-value', 1)).toBe(1);

    // the client set the subject's level after the first registration
    expect((await call(base, 'GET', '/config/users-value')).body).toEqual({ compatibilityLevel: 'BACKWARD' });

    // the same schema again: same id, no new version; registering again through the client works too
    expect((await client.register({ type: SchemaType.AVRO, schema: JSON.stringify(userV1) }, { subject: 'users-value' })).id).toBe(1);
    expect((await call(base, 'GET', '/subjects/users-value/versions')).body).toEqual([1]);

    // encode and decode through the client, which fetches the schema by id from us
    const reader = new SchemaRegistry({ host: base });
    const buf = await client.encode(1, { name: 'Ann' });
    expect(await reader.decode(buf)).toEqual({ name: 'Ann' });

    const latest = await call(base, 'GET', '/subjects/users-value/versions/latest');
    expect(latest.status).toBe(200);
    expect(latest.contentType).toContain(CT);
    expect(latest.body).toMatchObject({ subject: 'users-value', version: 1, id: 1 });
    expect(JSON.parse(String(latest.body['schema']))).toEqual(userV1);
    expect((await call(base, 'GET', '/subjects')).body).toEqual(['users-value']);
    const byId = await call(base, 'GET', '/schemas/ids/1');
    expect(JSON.parse(String(byId.body['schema']))).toEqual(userV1);
  });

  it('gives the same schema under another subject the same global id, compared in canonical form', async () => {
    const a = await call(base, 'POST', '/subjects/a-value/versions', { schema: JSON.stringify(userV1) });
    // same schema, other whitespace, short name written as namespace + name, accepted as application/json
    const reformatted = `{ "namespace": "test", "name": "User", "type": "record", "doc": "a user",
      "fields": [ { "doc": "name", "type": "string", "name": "name" } ] }`;
    const b = await call(base, 'POST', '/subjects/b-value/versions', { schema: reformatted }, 'application/json');
    expect(a.body).toEqual({ id: 1 });
    expect(b.body).toEqual({ id: 1 });
    expect((await call(base, 'POST', '/subjects/b-value', { schema: JSON.stringify(userV1) })).body).toMatchObject({ subject: 'b-value', version: 1, id: 1 });
    // a different doc is a different schema
    const c = await call(base, 'POST', '/subjects/a-value/versions', { schema: JSON.stringify({ ...userV1, doc: 'another doc' }) });
    expect(c.body).toEqual({ id: 2 });
  });

  it('refuses an incompatible change with 409 and accepts a compatible one (BACKWARD by default)', async () => {
    const client = new SchemaRegistry({ host: base });
    await client.register({ type: SchemaType.AVRO, schema: JSON.stringify(userV1) }, { subject: 'u-value' });

    const bad = await call(base, 'POST', '/subjects/u-value/versions', { schema: JSON.stringify(userWithAge(false)) });
    expect(bad.status).toBe(409);
    expect(bad.body.error_code).toBe(409);
    expect(String(bad.body['message'])).toContain('age');
    await expect(
      client.register({ type: SchemaType.AVRO, schema: JSON.stringify(userWithAge(false)) }, { subject: 'u-value' }),
    ).rejects.toMatchObject({ status: 409 });

    const check = await call(base, 'POST', '/compatibility/subjects/u-value/versions/latest?verbose=true', { schema: JSON.stringify(userWithAge(false)) });
    expect(check.body['is_compatible']).toBe(false);
    expect((check.body['messages'] as string[]).length).toBe(1);

    const ok = await call(base, 'POST', '/subjects/u-value/versions', { schema: JSON.stringify(userWithAge(true)) });
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ id: 2 });
    expect((await call(base, 'GET', '/subjects/u-value/versions')).body).toEqual([1, 2]);
    expect((await call(base, 'GET', '/subjects/u-value/versions/-1')).body).toMatchObject({ version: 2, id: 2 });

    // FORWARD: the old schema must read the new one's data; dropping a field without default breaks that
    expect((await call(base, 'PUT', '/config/u-value', { compatibility: 'forward' })).body).toEqual({ compatibility: 'FORWARD' });
    const dropName = { ...userV1, fields: [{ name: 'age', type: 'int', default: 0 }] };
    expect((await call(base, 'POST', '/compatibility/subjects/u-value/versions/latest', { schema: JSON.stringify(dropName) })).body).toEqual({ is_compatible: false });
    // NONE accepts anything
    await call(base, 'PUT', '/config/u-value', { compatibility: 'NONE' });
    expect((await call(base, 'POST', '/subjects/u-value/versions', { schema: JSON.stringify(dropName) })).body).toEqual({ id: 3 });
  });

  it('checks transitive levels against every version', async () => {
    await call(base, 'PUT', '/config/t-value', { compatibility: 'NONE' });
    const v1 = { type: 'record', name: 'T', fields: [{ name: 'a', type: 'int' }] };
    const v2 = { type: 'record', name: 'T', fields: [{ name: 'a', type: 'int', default: 1 }, { name: 'b', type: 'int', default: 2 }] };
    const v3 = { type: 'record', name: 'T', fields: [{ name: 'b', type: 'int', default: 2 }] };
    for (const v of [v1, v2]) await call(base, 'POST', '/subjects/t-value/versions', { schema: JSON.stringify(v) });
    // v3 can read v2's data (a dropped field is skipped) and v1's too, but v1 cannot read v3's data
    await call(base, 'PUT', '/config/t-value', { compatibility: 'FULL' });
    expect((await call(base, 'POST', '/compatibility/subjects/t-value/versions/latest', { schema: JSON.stringify(v3) })).body).toEqual({ is_compatible: true });
    await call(base, 'PUT', '/config/t-value', { compatibility: 'FULL_TRANSITIVE' });
    expect((await call(base, 'POST', '/compatibility/subjects/t-value/versions/latest', { schema: JSON.stringify(v3) })).body).toEqual({ is_compatible: false });
    // against one version, the level's direction without transitivity
    expect((await call(base, 'POST', '/compatibility/subjects/t-value/versions/2', { schema: JSON.stringify(v3) })).body).toEqual({ is_compatible: true });
    // a subject with nothing registered is compatible with "latest"
    expect((await call(base, 'POST', '/compatibility/subjects/new-value/versions/latest', { schema: JSON.stringify(v1) })).body).toEqual({ is_compatible: true });
  });

  it('answers with Confluent error codes', async () => {
    const unknownId = await call(base, 'GET', '/schemas/ids/42');
    expect(unknownId.status).toBe(404);
    expect(unknownId.body.error_code).toBe(40403);
    expect(unknownId.contentType).toContain(CT);

    const badJson = await call(base, 'POST', '/subjects/x-value/versions', { schema: '{"type": "record", "name": ' });
    expect(badJson.status).toBe(422);
    expect(badJson.body.error_code).toBe(42201);
    const notAvro = await call(base, 'POST', '/subjects/x-value/versions', { schema: JSON.stringify({ type: 'record', name: 'R' }) });
    expect([notAvro.status, notAvro.body.error_code]).toEqual([422, 42201]);
    const notAvroType = await call(base, 'POST', '/subjects/x-value/versions', { schema: '{}', schemaType: 'PROTOBUF' });
    expect(notAvroType.body.error_code).toBe(42201);

    expect((await call(base, 'GET', '/subjects/nope/versions')).body.error_code).toBe(40401);
    expect((await call(base, 'GET', '/subjects/nope/versions/latest')).body.error_code).toBe(40401);
    expect((await call(base, 'POST', '/subjects/nope', { schema: JSON.stringify(userV1) })).body.error_code).toBe(40401);

    await call(base, 'POST', '/subjects/x-value/versions', { schema: JSON.stringify(userV1) });
    expect((await call(base, 'GET', '/subjects/x-value/versions/7')).body.error_code).toBe(40402);
    const badVersion = await call(base, 'GET', '/subjects/x-value/versions/zero');
    expect([badVersion.status, badVersion.body.error_code]).toEqual([422, 42202]);
    expect((await call(base, 'GET', '/subjects/x-value/versions/0')).body.error_code).toBe(42202);
    expect((await call(base, 'POST', '/subjects/x-value', { schema: JSON.stringify({ ...userV1, doc: 'other' }) })).body.error_code).toBe(40403);

    const noLevel = await call(base, 'GET', '/config/x-value');
    expect([noLevel.status, noLevel.body.error_code]).toEqual([404, 40408]);
    expect((await call(base, 'GET', '/config/x-value?defaultToGlobal=true')).body).toEqual({ compatibilityLevel: 'BACKWARD' });
    const badLevel = await call(base, 'PUT', '/config', { compatibility: 'SIDEWAYS' });
    expect([badLevel.status, badLevel.body.error_code]).toEqual([422, 42203]);
    expect((await call(base, 'PUT', '/config', { compatibility: 'full' })).body).toEqual({ compatibility: 'FULL' });
    expect((await call(base, 'GET', '/config')).body).toEqual({ compatibilityLevel: 'FULL' });

    const brokenBody = await call(base, 'POST', '/subjects/x-value/versions', '{"schema": ');
    expect(brokenBody.status).toBe(400);
    expect(brokenBody.body.error_code).toBe(400);
    expect((await call(base, 'GET', '/nothing/here')).body.error_code).toBe(404);
  });
});

describe('schema registry persistence', () => {
  it('keeps ids, versions and levels across a restart, written atomically', async () => {
    const dataDir = tempDir();
    const first = await startSchemaRegistry({ dataDir });
    await call(first.url, 'POST', '/subjects/a-value/versions', { schema: JSON.stringify(userV1) });
    await call(first.url, 'POST', '/subjects/a-value/versions', { schema: JSON.stringify(userWithAge(true)) });
    await call(first.url, 'POST', '/subjects/b-key/versions', { schema: '"string"' });
    await call(first.url, 'PUT', '/config/a-value', { compatibility: 'FULL' });
    await first.close();
    expect(existsSync(join(dataDir, STATE_FILE))).toBe(true);
    expect(readdirSync(dataDir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    expect(JSON.parse(readFileSync(join(dataDir, STATE_FILE), 'utf8'))).toMatchObject({ nextId: 4, subjects: { 'a-value': [1, 2], 'b-key': [3] } });

    const second = await startSchemaRegistry({ dataDir });
    try {
      expect((await call(second.url, 'GET', '/subjects/a-value/versions/2')).body).toMatchObject({ id: 2, version: 2 });
      expect((await call(second.url, 'GET', '/config/a-value')).body).toEqual({ compatibilityLevel: 'FULL' });
      // registering what exists answers the old ids; a new schema gets the next id, not a reused one
      expect((await call(second.url, 'POST', '/subjects/c-value/versions', { schema: JSON.stringify(userV1) })).body).toEqual({ id: 1 });
      expect((await call(second.url, 'POST', '/subjects/d-key/versions', { schema: '"long"' })).body).toEqual({ id: 4 });
      const client = new SchemaRegistry({ host: second.url });
      expect(await client.getLatestSchemaId('b-key')).toBe(3);
    } finally {
      await second.close();
    }
  });

  it('refuses to start on a damaged state file instead of giving ids twice', async () => {
    const dataDir = tempDir();
    writeFileSync(join(dataDir, STATE_FILE), '{"format": 1, "nextId": ');
    await expect(startSchemaRegistry({ dataDir })).rejects.toThrow(/schema-registry.json: not JSON/);
  });
});
