// The API's errors: a closed list of codes, one envelope `{ error: { code, message, field? } }`, and the single
// error handler. 5xx answers are generic (the cause is logged in full); store errors are mapped by kind, never by
// message text, so no SQL, stack or file path reaches a client.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { ConstraintError } from '../stores/postgres/errors.ts';
import { EventQueryError } from '../stores/clickhouse/events-query.ts';

export const API_ERROR_CODES = [
  'FS_ERR_VALIDATION',
  'FS_ERR_UNAUTHENTICATED',
  'FS_ERR_FORBIDDEN',
  'FS_ERR_RATE_LIMITED',
  'FS_ERR_NOT_FOUND',
  'FS_ERR_CONFLICT',
  'FS_ERR_IN_USE',
  'FS_ERR_BUILTIN',
  'FS_ERR_TOO_LARGE',
  'FS_ERR_UNSUPPORTED_MEDIA',
  'FS_ERR_RANGE_NOT_SATISFIABLE',
  'FS_ERR_NO_USABLE_FACE',
  'FS_ERR_URL_DENIED',
  'FS_ERR_NOT_READY',
  'FS_ERR_INTERNAL',
] as const;
export type ApiErrorCode = (typeof API_ERROR_CODES)[number];

const STATUS: Readonly<Record<ApiErrorCode, number>> = {
  FS_ERR_VALIDATION: 400,
  FS_ERR_UNAUTHENTICATED: 401,
  FS_ERR_FORBIDDEN: 403,
  FS_ERR_RATE_LIMITED: 429,
  FS_ERR_NOT_FOUND: 404,
  FS_ERR_CONFLICT: 409,
  FS_ERR_IN_USE: 409,
  FS_ERR_BUILTIN: 409,
  FS_ERR_TOO_LARGE: 413,
  FS_ERR_UNSUPPORTED_MEDIA: 415,
  FS_ERR_RANGE_NOT_SATISFIABLE: 416,
  FS_ERR_NO_USABLE_FACE: 422,
  FS_ERR_URL_DENIED: 400,
  FS_ERR_NOT_READY: 503,
  FS_ERR_INTERNAL: 500,
};

export class ApiError extends Error {
  override readonly name = 'ApiError';
  readonly statusCode: number;
  constructor(
    readonly code: ApiErrorCode,
    message: string,
    /** the request field at fault (`name`, `source_photo`, `created_date_gte` …) */
    readonly field?: string,
    /** a machine-readable reason under the code (`no_face`, `several_faces`, `low_quality` …) */
    readonly reason?: string,
    /** headers the answer carries (WWW-Authenticate on 401, Retry-After on 429) */
    readonly headers?: Readonly<Record<string, string>>,
  ) {
    super(message);
    this.statusCode = STATUS[code];
  }
}

export const notFound = (what: string, id: number | string): ApiError => new ApiError('FS_ERR_NOT_FOUND', `${what} ${id} not found`);

/** The body of every error answer (also the OpenAPI response schema of 4xx/5xx). */
export const ErrorBody = Type.Object(
  {
    error: Type.Object({
      code: Type.Union(API_ERROR_CODES.map((c) => Type.Literal(c))),
      message: Type.String(),
      field: Type.Optional(Type.String({ description: 'the request field at fault' })),
      reason: Type.Optional(Type.String({ description: 'finer reason, e.g. no_face, several_faces, low_quality' })),
    }),
  },
  { $id: 'ErrorBody' },
);
export type ErrorBody = Static<typeof ErrorBody>;

// Tables of the identity store, longest first (constraint names are `<table>_<column>_<key|check|fkey>`), and the
// API field a junction table's column stands for.
const TABLES = ['watch_list_camera_groups', 'dossier_watch_lists', 'camera_group_permissions', 'watch_list_permissions', 'camera_groups', 'dossier_faces', 'watch_lists', 'user_roles', 'dossiers', 'cameras', 'users', 'roles'];
const JUNCTION_FIELD: Readonly<Record<string, string>> = {
  watch_list_camera_groups: 'camera_group_ids',
  dossier_watch_lists: 'watch_list_ids',
  user_roles: 'role_ids',
  camera_group_permissions: 'object_id',
  watch_list_permissions: 'object_id',
};

function fieldOfConstraint(constraint: string | undefined): string | undefined {
  if (!constraint) return undefined;
  const table = TABLES.find((t) => constraint.startsWith(`${t}_`));
  if (!table) return undefined;
  if (JUNCTION_FIELD[table]) return JUNCTION_FIELD[table];
  const column = /^(.+)_(key|check|fkey)$/.exec(constraint.slice(table.length + 1))?.[1];
  return column && /^[a-z_]+$/.test(column) ? column : undefined;
}

/** What a constraint violation of the identity store means to a client: by kind and constraint name, never SQL. */
function fromConstraint(err: ConstraintError): ApiError {
  const field = fieldOfConstraint(err.constraint);
  switch (err.kind) {
    case 'unique':
      return new ApiError('FS_ERR_CONFLICT', `${field ?? 'a value'} is already used by another record`, field);
    case 'foreign_key':
      // PostgreSQL raises 23503 both for an unknown reference and for deleting a row still referenced
      return /update or delete on table/i.test(err.message)
        ? new ApiError('FS_ERR_IN_USE', 'still in use by other records: remove or move them first')
        : new ApiError('FS_ERR_VALIDATION', `${field ?? 'a reference'}: refers to a record that does not exist`, field);
    case 'restrict':
      return new ApiError('FS_ERR_BUILTIN', 'a built-in record cannot be deleted');
    case 'check':
    case 'not_null':
      return new ApiError('FS_ERR_VALIDATION', `${field ?? 'a value'}: out of range or missing`, field);
  }
}

interface FastifyValidationIssue {
  readonly instancePath?: string;
  readonly params?: Record<string, unknown>;
  readonly message?: string;
}

/** `body/name` → `name`; a missing property names itself. */
function fieldOf(issue: FastifyValidationIssue): string | undefined {
  const missing = issue.params?.['missingProperty'] ?? issue.params?.['additionalProperty'];
  const path = (issue.instancePath ?? '').replace(/^\//, '').replaceAll('/', '.');
  if (typeof missing === 'string') return path ? `${path}.${missing}` : missing;
  return path || undefined;
}

/** Any thrown value as the API error to answer with; undefined for an unexpected failure (a 500). */
export function toApiError(err: unknown): ApiError | undefined {
  if (err instanceof ApiError) return err;
  if (err instanceof ConstraintError) return fromConstraint(err);
  if (err instanceof EventQueryError) return new ApiError('FS_ERR_VALIDATION', err.message, /cursor/.test(err.message) ? 'page' : 'limit');
  const fe = err as Partial<FastifyError> & { validation?: FastifyValidationIssue[] };
  if (Array.isArray(fe.validation) && fe.validation.length > 0) {
    const issue = fe.validation[0]!;
    const field = fieldOf(issue);
    const where = fe.validationContext ?? 'request';
    const additional = issue.params?.['additionalProperty'];
    const message = typeof additional === 'string' ? 'unknown field' : (issue.message ?? 'invalid');
    return new ApiError('FS_ERR_VALIDATION', `${where}${field ? ` ${field}` : ''}: ${message}`, field);
  }
  switch (fe.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new ApiError('FS_ERR_TOO_LARGE', 'request body is too large');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new ApiError('FS_ERR_UNSUPPORTED_MEDIA', 'unsupported content type');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new ApiError('FS_ERR_VALIDATION', 'body is not valid JSON', 'body');
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new ApiError('FS_ERR_VALIDATION', 'content-length does not match the body');
  }
  // other 4xx raised by Fastify itself carry no internals; map them to the closest code
  if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500 && typeof fe.code === 'string' && fe.code.startsWith('FST_')) {
    if (fe.statusCode === 413) return new ApiError('FS_ERR_TOO_LARGE', 'request body is too large');
    if (fe.statusCode === 415) return new ApiError('FS_ERR_UNSUPPORTED_MEDIA', 'unsupported content type');
    if (fe.statusCode === 404) return new ApiError('FS_ERR_NOT_FOUND', 'not found');
    return new ApiError('FS_ERR_VALIDATION', 'malformed request');
  }
  return undefined;
}

export function sendError(reply: FastifyReply, err: ApiError): FastifyReply {
  const body: ErrorBody = {
    error: { code: err.code, message: err.message, ...(err.field ? { field: err.field } : {}), ...(err.reason ? { reason: err.reason } : {}) },
  };
  if (err.headers) reply.headers(err.headers);
  return reply.status(err.statusCode).type('application/json; charset=utf-8').send(body);
}

/** The one error handler and 404 handler of the app. */
export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((err: unknown, request: FastifyRequest, reply: FastifyReply) => {
    const api = toApiError(err);
    if (api) {
      if (api.statusCode >= 500) request.log.error({ err }, 'request failed');
      return sendError(reply, api);
    }
    request.log.error({ err }, 'request failed');
    return sendError(reply, new ApiError('FS_ERR_INTERNAL', `internal error (request ${request.id})`));
  });
  app.setNotFoundHandler((request, reply) => sendError(reply, new ApiError('FS_ERR_NOT_FOUND', `no route ${request.method} ${request.url.split('?')[0]}`)));
}
