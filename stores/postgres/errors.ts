// Constraint violations from either engine, turned into one error type with a closed list of kinds, so callers (the
// API: 409 for `unique`, 400/409 for the others) read a kind instead of SQLSTATE codes or message text. pg and PGlite
// both raise errors carrying the SQLSTATE in `code` and the constraint's name in `constraint`.

export const CONSTRAINT_KINDS = ['unique', 'foreign_key', 'check', 'not_null', 'restrict'] as const;
export type ConstraintKind = (typeof CONSTRAINT_KINDS)[number];

const BY_SQLSTATE: Readonly<Record<string, ConstraintKind>> = {
  '23505': 'unique',
  '23503': 'foreign_key',
  '23514': 'check',
  '23502': 'not_null',
  '23001': 'restrict', // also raised by refuse_builtin_delete() for built-in rows
};

export class ConstraintError extends Error {
  readonly kind: ConstraintKind;
  /** The violated constraint's name, e.g. `cameras_name_key`, when the engine gives one. */
  readonly constraint: string | undefined;

  constructor(kind: ConstraintKind, message: string, constraint: string | undefined, cause: unknown) {
    super(message, { cause });
    this.name = 'ConstraintError';
    this.kind = kind;
    this.constraint = constraint;
  }
}

interface DatabaseErrorLike {
  readonly code?: unknown;
  readonly constraint?: unknown;
  readonly message: string;
}

/** `err` as a ConstraintError if it is a constraint violation, else `err` unchanged. */
export function asConstraintError(err: unknown): unknown {
  if (!(err instanceof Error)) return err;
  const e = err as DatabaseErrorLike;
  const kind = typeof e.code === 'string' ? BY_SQLSTATE[e.code] : undefined;
  if (kind === undefined) return err;
  return new ConstraintError(kind, e.message, typeof e.constraint === 'string' ? e.constraint : undefined, err);
}
