// Confluent's error codes and body (`{"error_code": 40401, "message": "..."}`), the subset facestream's registry
// returns. Clients branch on error_code, never on message text.

export const CONFLUENT_ERROR_CODES = {
  /** 404: no such subject */
  subjectNotFound: 40401,
  /** 404: the subject has no such version */
  versionNotFound: 40402,
  /** 404: no schema with that id, or the schema is not registered under the subject */
  schemaNotFound: 40403,
  /** 404: GET /config/{subject} when the subject has no level of its own (ask with ?defaultToGlobal=true) */
  subjectCompatibilityNotConfigured: 40408,
  /** 409: the schema breaks the subject's compatibility level */
  incompatibleSchema: 409,
  /** 422: not a valid Avro schema (or not Avro, or uses schema references) */
  invalidSchema: 42201,
  /** 422: a version that is neither a positive integer, -1 nor "latest" */
  invalidVersion: 42202,
  /** 422: not one of the seven compatibility levels */
  invalidCompatibilityLevel: 42203,
  /** 500: the registry could not store the change */
  storeError: 50001,
} as const;
export type ConfluentErrorCode = (typeof CONFLUENT_ERROR_CODES)[keyof typeof CONFLUENT_ERROR_CODES];

export class RegistryHttpError extends Error {
  override readonly name = 'RegistryHttpError';

  constructor(
    readonly statusCode: number,
    readonly errorCode: ConfluentErrorCode | number,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  body(): { error_code: number; message: string } {
    return { error_code: this.errorCode, message: this.message };
  }
}

const C = CONFLUENT_ERROR_CODES;
export const subjectNotFound = (subject: string): RegistryHttpError =>
  new RegistryHttpError(404, C.subjectNotFound, `Subject '${subject}' not found.`);
export const versionNotFound = (version: number | string): RegistryHttpError =>
  new RegistryHttpError(404, C.versionNotFound, `Version ${version} not found.`);
export const schemaNotFound = (id?: number | string): RegistryHttpError =>
  new RegistryHttpError(404, C.schemaNotFound, id === undefined ? 'Schema not found' : `Schema ${id} not found`);
export const subjectCompatibilityNotConfigured = (subject: string): RegistryHttpError =>
  new RegistryHttpError(404, C.subjectCompatibilityNotConfigured, `Subject '${subject}' does not have subject-level compatibility configured`);
export const incompatibleSchema = (details: readonly string[]): RegistryHttpError =>
  new RegistryHttpError(409, C.incompatibleSchema, `Schema being registered is incompatible with an earlier schema; ${details.join('; ')}`);
export const invalidSchema = (reason: string, cause?: unknown): RegistryHttpError =>
  new RegistryHttpError(422, C.invalidSchema, `Invalid schema: ${reason}`, { cause });
export const invalidVersion = (version: string): RegistryHttpError =>
  new RegistryHttpError(422, C.invalidVersion, `The specified version '${version}' is not a valid version id. Allowed values are between [1, 2^31-1] and the string "latest"`);
export const invalidCompatibilityLevel = (): RegistryHttpError =>
  new RegistryHttpError(422, C.invalidCompatibilityLevel, 'Invalid compatibility level. Valid values are none, backward, forward, full, backward_transitive, forward_transitive, and full_transitive');
