// multipart/form-data bodies (photo uploads), buffered up to the route's body limit and parsed into a plain object:
// text parts become strings, parts with a filename become UploadedFile. Route schemas validate that object like a
// JSON body; a file field is declared with `FileField()` (ajv keyword `x-upload`), which the OpenAPI document shows
// as `type: string, format: binary` (see openapi.ts).
import type { FastifyInstance } from 'fastify';
import { Type, type TUnsafe } from '@sinclair/typebox';
import type { Ajv } from 'ajv';
import { ApiError } from '../errors.ts';

export class UploadedFile {
  constructor(
    readonly field: string,
    readonly filename: string,
    readonly mimetype: string,
    readonly data: Buffer,
  ) {}
}

export const UPLOAD_KEYWORD = 'x-upload';

/** A file part of a multipart body. */
export const FileField = (description: string): TUnsafe<UploadedFile> => Type.Unsafe<UploadedFile>({ [UPLOAD_KEYWORD]: true, description });

/** Teaches the route validator the `x-upload` keyword (passed to Fastify as an ajv plugin). */
export function uploadKeyword(ajv: Ajv): Ajv {
  return ajv.addKeyword({
    keyword: UPLOAD_KEYWORD,
    schemaType: 'boolean',
    validate: (_schema: boolean, data: unknown) => data instanceof UploadedFile,
    error: { message: 'must be a file (a multipart part with a filename)' },
  });
}

export const MULTIPART = 'multipart/form-data';

function boundaryOf(contentType: string): string {
  const m = /;\s*boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  const b = m?.[1] ?? m?.[2];
  if (!b) throw new ApiError('FS_ERR_VALIDATION', 'multipart body without a boundary', 'content-type');
  return b;
}

function headerParam(header: string, name: string): string | undefined {
  const m = new RegExp(`;\\s*${name}="((?:[^"\\\\]|\\\\.)*)"|;\\s*${name}=([^;\\s]+)`, 'i').exec(header);
  const v = m?.[1] ?? m?.[2];
  return v?.replace(/\\(.)/g, '$1');
}

/** Parses a buffered multipart/form-data body (RFC 7578). Repeated fields: the first one counts. */
export function parseMultipart(body: Buffer, contentType: string): Record<string, string | UploadedFile> {
  const delimiter = Buffer.from(`--${boundaryOf(contentType)}`);
  const out: Record<string, string | UploadedFile> = {};
  let pos = body.indexOf(delimiter);
  if (pos < 0) throw new ApiError('FS_ERR_VALIDATION', 'malformed multipart body', 'body');
  for (;;) {
    pos += delimiter.length;
    if (body.subarray(pos, pos + 2).toString() === '--') break; // closing delimiter
    if (body.subarray(pos, pos + 2).toString() !== '\r\n') throw new ApiError('FS_ERR_VALIDATION', 'malformed multipart body', 'body');
    const headersEnd = body.indexOf('\r\n\r\n', pos + 2);
    const next = body.indexOf(Buffer.concat([Buffer.from('\r\n'), delimiter]), pos);
    if (headersEnd < 0 || next < 0 || headersEnd > next) throw new ApiError('FS_ERR_VALIDATION', 'malformed multipart body', 'body');
    const headers = body.subarray(pos + 2, headersEnd).toString('utf8').split('\r\n');
    const content = body.subarray(headersEnd + 4, next);
    const disposition = headers.find((h) => /^content-disposition:/i.test(h)) ?? '';
    const type = headers.find((h) => /^content-type:/i.test(h))?.replace(/^content-type:\s*/i, '').trim() ?? 'application/octet-stream';
    const name = headerParam(disposition, 'name');
    const filename = headerParam(disposition, 'filename');
    if (name !== undefined && !(name in out)) {
      out[name] = filename !== undefined ? new UploadedFile(name, filename, type, Buffer.from(content)) : content.toString('utf8');
    }
    pos = next + 2;
  }
  return out;
}

/** Registers the parser on `app` (every route; a route's `bodyLimit` caps what is buffered). */
export function acceptMultipart(app: FastifyInstance): void {
  app.addContentTypeParser(MULTIPART, { parseAs: 'buffer' }, (request, body, done) => {
    try {
      done(null, parseMultipart(body as Buffer, request.headers['content-type'] ?? ''));
    } catch (err) {
      done(err as Error, undefined);
    }
  });
}

/** preValidation of upload routes: anything but multipart/form-data is 415. */
export async function requireMultipart(request: { headers: Record<string, unknown> }): Promise<void> {
  const type = String(request.headers['content-type'] ?? '');
  if (!type.toLowerCase().startsWith(MULTIPART)) {
    throw new ApiError('FS_ERR_UNSUPPORTED_MEDIA', `expected ${MULTIPART} with the photo as a file part (got ${type.split(';')[0] || 'no content type'})`);
  }
}
