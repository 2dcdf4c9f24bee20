// What the registry knows about Avro: parse a submitted schema, give it a canonical form to compare by, and
// decide compatibility with avsc resolvers ("reader can read what writer wrote").
import avro from 'avsc';
import type { Type } from 'avsc';
import { PASS_THROUGH_LOGICAL_TYPES } from '../avro/logical-types.ts';
import { invalidSchema } from './errors.ts';

export const COMPATIBILITY_LEVELS = [
  'NONE',
  'BACKWARD',
  'BACKWARD_TRANSITIVE',
  'FORWARD',
  'FORWARD_TRANSITIVE',
  'FULL',
  'FULL_TRANSITIVE',
] as const;
export type CompatibilityLevel = (typeof COMPATIBILITY_LEVELS)[number];
export const DEFAULT_COMPATIBILITY: CompatibilityLevel = 'BACKWARD';

/** `backward` → `BACKWARD`; undefined when not a level. */
export function parseCompatibilityLevel(s: unknown): CompatibilityLevel | undefined {
  if (typeof s !== 'string') return undefined;
  const up = s.toUpperCase();
  return (COMPATIBILITY_LEVELS as readonly string[]).includes(up) ? (up as CompatibilityLevel) : undefined;
}

export interface ParsedSchema {
  /** the schema text to store and return: the submitted JSON, minified */
  readonly text: string;
  /**
   * Canonical form, what "the same schema" means: avsc's export with full names, docs, defaults, aliases,
   * order and logical types, in a fixed key order and without whitespace. Properties Avro does not define
   * (e.g. `connect.name`) do not count.
   */
  readonly canonical: string;
  readonly type: Type;
}

/** Parses a schema string as submitted in `{"schema": "..."}`; throws 422 42201 when it is not valid Avro. */
export function parseAvroSchema(text: string): ParsedSchema {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw invalidSchema(`not JSON: ${e instanceof Error ? e.message : String(e)}`, e);
  }
  let type: Type;
  try {
    type = avro.Type.forSchema(json as avro.Schema, { logicalTypes: PASS_THROUGH_LOGICAL_TYPES });
  } catch (e) {
    throw invalidSchema(e instanceof Error ? e.message : String(e), e);
  }
  return { text: JSON.stringify(json), canonical: JSON.stringify(type.schema({ exportAttrs: true })), type };
}

/** Why `reader` cannot read data written with `writer`; undefined when it can. */
export function cannotRead(reader: Type, writer: Type): string | undefined {
  try {
    reader.createResolver(writer);
    return undefined;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

/**
 * Compatibility of `candidate` with the subject's earlier schemas (oldest first) under `level`.
 * BACKWARD: the candidate can read data written with the latest; FORWARD: the latest can read the candidate's data;
 * FULL: both; *_TRANSITIVE: against every earlier version instead of the latest only. Returns the problems found.
 */
export function compatibilityProblems(level: CompatibilityLevel, candidate: Type, earlier: readonly Type[]): string[] {
  if (level === 'NONE' || earlier.length === 0) return [];
  const against = level.endsWith('_TRANSITIVE') ? earlier : earlier.slice(-1);
  const backward = level.startsWith('BACKWARD') || level.startsWith('FULL');
  const forward = level.startsWith('FORWARD') || level.startsWith('FULL');
  const problems: string[] = [];
  against.forEach((old) => {
    const version = earlier.indexOf(old) + 1;
    const b = backward ? cannotRead(candidate, old) : undefined;
    if (b !== undefined) problems.push(`${level}: the new schema cannot read data written with version ${version}: ${b}`);
    const f = forward ? cannotRead(old, candidate) : undefined;
    if (f !== undefined) problems.push(`${level}: version ${version} cannot read data written with the new schema: ${f}`);
  });
  return problems;
}
