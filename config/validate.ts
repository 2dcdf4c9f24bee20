// One validator for every schema at a boundary (config, manifests, reports): TypeBox schemas checked by Ajv,
// with errors that name the path, the value and the rule.
import { Ajv, type ErrorObject } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { Static, TSchema } from '@sinclair/typebox';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;
const ajv = addFormats(new Ajv({ allErrors: true, useDefaults: true, strict: false }));

export class ValidationError extends Error {
  constructor(
    readonly where: string,
    readonly problems: string[],
  ) {
    super(`${where} is invalid:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ValidationError';
  }
}

function describe(e: ErrorObject): string {
  const path = e.instancePath || '(root)';
  if (e.keyword === 'additionalProperties') return `${path}: unknown key "${String(e.params['additionalProperty'])}"`;
  return `${path}: ${e.message ?? e.keyword}`;
}

/** Validates (filling defaults in place) and returns the value typed by its schema, or throws ValidationError. */
export function validateOrThrow<T extends TSchema>(schema: T, value: unknown, where: string): Static<T> {
  const check = ajv.compile(schema);
  if (!check(value)) throw new ValidationError(where, (check.errors ?? []).map(describe));
  return value as Static<T>;
}

/** Returns the list of problems (empty when valid) without throwing. */
export function problemsOf(schema: TSchema | object, value: unknown): string[] {
  const check = ajv.compile(schema);
  return check(value) ? [] : (check.errors ?? []).map(describe);
}
