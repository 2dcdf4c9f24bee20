import { mkdtempSync, readdirSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import { AVRO_DIR, AvroContractError, loadAvroContracts, referencedNames } from './contracts.ts';

const contracts = loadAvroContracts();

/** Every record, field and enum in a schema, with its doc. */
function documented(schema: unknown, path: string, out: Array<{ path: string; doc: unknown }>): void {
  if (Array.isArray(schema)) {
    schema.forEach((b, i) => documented(b, `${path}|${i}`, out));
  } else if (typeof schema === 'object' && schema !== null) {
    const s = schema as { readonly [k: string]: unknown };
    if (s['type'] === 'record' || s['type'] === 'enum') out.push({ path: `${path}(${String(s['name'])})`, doc: s['doc'] });
    if (s['type'] === 'record' && Array.isArray(s['fields'])) {
      for (const f of s['fields'] as Array<{ readonly name: string; readonly doc?: unknown; readonly type: unknown }>) {
        out.push({ path: `${path}.${f.name}`, doc: f.doc });
        documented(f.type, `${path}.${f.name}`, out);
      }
    }
    if (s['type'] === 'array') documented(s['items'], `${path}[]`, out);
    if (s['type'] === 'map') documented(s['values'], `${path}{}`, out);
  }
}

describe('Avro contracts', () => {
  it('parses every file, each after the types it refers to', () => {
    // one named type per file: a count written here would clash whenever a contract is added
    expect(contracts.names.length).toBe(readdirSync(AVRO_DIR).filter((f) => f.endsWith('.avsc')).length);
    const seen = new Set<string>();
    for (const name of contracts.names) {
      for (const dep of referencedNames(contracts.fileSchema(name))) expect(seen.has(dep), `${name} uses ${dep}`).toBe(true);
      seen.add(name);
    }
  });

  it('documents every record, enum and field', () => {
    for (const name of contracts.names) {
      const all: Array<{ path: string; doc: unknown }> = [];
      documented(contracts.fileSchema(name), name, all);
      for (const { path, doc } of all) expect(typeof doc === 'string' && doc.length > 3, `${path} has a doc`).toBe(true);
    }
  });

  it('keeps the field names stage code uses: camelCase, plus t_s', () => {
    for (const name of contracts.names) {
      const t = contracts.type(name);
      if (!avro.Type.isType(t, 'record')) continue;
      for (const f of (t as avro.types.RecordType).fields) expect(f.name).toMatch(/^([a-z][A-Za-z0-9]*|t_s)$/);
    }
    const frameInfo = contracts.type('FrameInfo') as avro.types.RecordType;
    expect(frameInfo.fields.map((f) => f.name)).toEqual(['camera', 'seq', 'ts', 't_s', 'width', 'height', 'frameRef']);
  });

  it('expands a value type into one self-contained schema that keeps docs, defaults and logical types', () => {
    const schema = contracts.expandedSchema('FaceEvent');
    const text = JSON.stringify(schema);
    // parses alone, with no registry of the other files
    const alone = avro.Type.forSchema(schema as avro.Schema);
    expect(alone.name).toBe('facestream.FaceEvent');
    expect(text).toContain('"logicalType":"timestamp-millis"');
    expect(text).toContain('"default":null');
    expect(text).toContain('Event id, deterministic');
    // each named type is defined once, then referred to by name
    expect(text.match(/"name":"facestream.HeadPose"/g)?.length).toBe(1);
  });

  it('round-trips a timestamp-millis long as a plain number', () => {
    const t = contracts.type('DossierFace');
    const v = {
      dossierFaceId: 'f1', dossierId: 'd1', dossierName: 'Ann', watchLists: ['vip'], modelId: 'm',
      vector: Buffer.from([0, 0, 0, 63]), quality: -1, photo: 'p', updatedAt: 1_714_000_000_123,
    };
    expect(t.fromBuffer(t.toBuffer(v)).updatedAt).toBe(1_714_000_000_123);
  });

  it('explains a missing reference and a name that does not match its file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'avsc-'));
    try {
      writeFileSync(join(dir, 'A.avsc'), JSON.stringify({ type: 'record', name: 'A', namespace: 'facestream', doc: 'a', fields: [{ name: 'b', type: 'B', doc: 'b' }] }));
      expect(() => loadAvroContracts(dir)).toThrow(/A.avsc refers to B, but there is no B.avsc/);
      writeFileSync(join(dir, 'B.avsc'), JSON.stringify({ type: 'enum', name: 'C', namespace: 'facestream', doc: 'c', symbols: ['x'] }));
      expect(() => loadAvroContracts(dir)).toThrow(AvroContractError);
      expect(() => loadAvroContracts(dir)).toThrow(/B.avsc: "name" must be "B"/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
