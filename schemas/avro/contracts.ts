// The Avro contracts of facestream's topics: one `.avsc` file per named type in this folder, composed by name.
// The files are parsed in dependency order into one shared avsc registry, so `"type": "Box"` in DetectedFace.avsc
// resolves to Box.avsc. What a topic registers is the fully expanded, self-contained schema of its value type
// (`expandedSchema()`): any Confluent client can read it without schema references.
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import avro from 'avsc';
import type { Type } from 'avsc';
import { TimestampMillis } from './logical-types.ts';

export const AVRO_NAMESPACE = 'facestream';

/** The folder holding the `.avsc` files. */
export const AVRO_DIR = fileURLToPath(new URL('.', import.meta.url));

/** Avro schema JSON as parsed from a file or returned by a registry. */
export type AvroJson = string | readonly AvroJson[] | { readonly [key: string]: unknown };

const PRIMITIVES: ReadonlySet<string> = new Set(['null', 'boolean', 'int', 'long', 'float', 'double', 'bytes', 'string']);

export interface AvroContracts {
  /** short names of the named types, each after the types it refers to */
  readonly names: readonly string[];
  /** the parsed type of a named type (short name, e.g. `FaceEvent`); throws on an unknown name */
  type(name: string): Type;
  /** the fully expanded, self-contained schema of a named type, with docs, defaults and logical types */
  expandedSchema(name: string): AvroJson;
  /** the schema as written in its file */
  fileSchema(name: string): AvroJson;
}

/** A problem in the `.avsc` files: a name that does not match its file, an unknown reference, a cycle. */
export class AvroContractError extends Error {
  override readonly name = 'AvroContractError';
}

/** Reads and parses every `.avsc` file of `dir`. Pure apart from reading the files; call once and pass it down. */
export function loadAvroContracts(dir: string = AVRO_DIR): AvroContracts {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.avsc'))
    .sort();
  const raw = new Map<string, AvroJson>();
  for (const file of files) {
    const name = file.slice(0, -'.avsc'.length);
    const json = parseFile(join(dir, file));
    if (typeof json !== 'object' || Array.isArray(json) || json === null) {
      throw new AvroContractError(`${file}: expected a named type (a JSON object), got ${JSON.stringify(json)}`);
    }
    const obj = json as { readonly [key: string]: unknown };
    if (obj['name'] !== name) throw new AvroContractError(`${file}: "name" must be "${name}", the file's name`);
    if (obj['namespace'] !== AVRO_NAMESPACE) throw new AvroContractError(`${file}: "namespace" must be "${AVRO_NAMESPACE}"`);
    raw.set(name, json);
  }

  const names = dependencyOrder(raw);
  const registry: { [name: string]: Type } = {};
  const types = new Map<string, Type>();
  for (const name of names) {
    const schema = raw.get(name);
    try {
      types.set(
        name,
        avro.Type.forSchema(schema as avro.Schema, {
          registry,
          logicalTypes: { 'timestamp-millis': TimestampMillis },
          assertLogicalTypes: true,
        }),
      );
    } catch (e) {
      throw new AvroContractError(`${name}.avsc: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
    }
  }

  const get = <T>(map: ReadonlyMap<string, T>, name: string): T => {
    const v = map.get(name);
    if (v === undefined) throw new AvroContractError(`no Avro type named ${name} in ${dir}`);
    return v;
  };
  return {
    names,
    type: (name) => get(types, name),
    expandedSchema: (name) => get(types, name).schema({ exportAttrs: true }) as AvroJson,
    fileSchema: (name) => get(raw, name),
  };
}

function parseFile(path: string): AvroJson {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as AvroJson;
  } catch (e) {
    throw new AvroContractError(`${path}: not valid JSON: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
}

/** Short names of the named types a schema refers to (by name, not defined inline). */
export function referencedNames(schema: unknown, out: Set<string> = new Set()): Set<string> {
  if (typeof schema === 'string') {
    if (!PRIMITIVES.has(schema)) {
      out.add(schema.startsWith(`${AVRO_NAMESPACE}.`) ? schema.slice(AVRO_NAMESPACE.length + 1) : schema);
    }
  } else if (Array.isArray(schema)) {
    for (const branch of schema) referencedNames(branch, out);
  } else if (typeof schema === 'object' && schema !== null) {
    const obj = schema as { readonly [key: string]: unknown };
    if (typeof obj['type'] === 'string' && (obj['type'] === 'record' || obj['type'] === 'error')) {
      const fields = obj['fields'];
      if (Array.isArray(fields)) {
        for (const f of fields) {
          if (typeof f === 'object' && f !== null) referencedNames((f as { readonly type?: unknown }).type, out);
        }
      }
    } else if (obj['type'] === 'array') {
      referencedNames(obj['items'], out);
    } else if (obj['type'] === 'map') {
      referencedNames(obj['values'], out);
    } else if (obj['type'] !== 'enum' && obj['type'] !== 'fixed') {
      referencedNames(obj['type'], out);
    }
  }
  return out;
}

/** Depth-first order, files taken alphabetically, so every type comes after the types it refers to. */
function dependencyOrder(raw: ReadonlyMap<string, AvroJson>): string[] {
  const order: string[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (name: string, path: readonly string[]): void => {
    const s = state.get(name);
    if (s === 'done') return;
    if (s === 'visiting') throw new AvroContractError(`reference cycle: ${[...path, name].join(' → ')}`);
    const schema = raw.get(name);
    if (schema === undefined) {
      throw new AvroContractError(`${path.at(-1) ?? '?'}.avsc refers to ${name}, but there is no ${name}.avsc`);
    }
    state.set(name, 'visiting');
    for (const dep of referencedNames(schema)) if (dep !== name) visit(dep, [...path, name]);
    state.set(name, 'done');
    order.push(name);
  };
  for (const name of raw.keys()) visit(name, []);
  return order;
}
