// Why a record could not be encoded or decoded, or the schemas not registered. Closed code lists (STYLE.md §5): the
// runtime decides retry / dead-letter / fail from `code` and `retryable`, never from message text.

export const WIRE_FORMAT_ERROR_CODES = [
  /** fewer than the 5 header bytes */
  'too_short',
  /** first byte is not 0: not Confluent wire format */
  'bad_magic_byte',
  /** the registry has no schema with the id in the header */
  'unknown_schema_id',
  /** the Avro body ends before the value does */
  'truncated_body',
  /** bytes left over after the value */
  'trailing_bytes',
  /** the Avro body cannot be read with its writer schema (bad union index, bad length…) */
  'corrupt_body',
  /** the writer schema cannot be read as this topic's schema, or is not Avro */
  'schema_mismatch',
  /** encode: the value does not fit the topic's schema */
  'invalid_value',
  /** encode: registerAll() has not registered the topic's subject yet */
  'not_registered',
  /** the registry could not be reached (network error, timeout or 5xx); try again later */
  'registry_unreachable',
  /** the registry answered with an error that retrying will not fix (401, 403…) */
  'registry_error',
] as const;
export type WireFormatErrorCode = (typeof WIRE_FORMAT_ERROR_CODES)[number];

export const REGISTRATION_ERROR_CODES = [
  /** 409: the subject's compatibility level refuses our schema */
  'incompatible_schema',
  /** 422: the registry does not accept our schema */
  'invalid_schema',
  /** the subject has a compatibility level other than the BACKWARD facestream expects */
  'compatibility_mismatch',
  /** the registry could not be reached, after every retry */
  'registry_unreachable',
  /** any other error answer */
  'registry_error',
] as const;
export type RegistrationErrorCode = (typeof REGISTRATION_ERROR_CODES)[number];

export type SchemaErrorCode = WireFormatErrorCode | RegistrationErrorCode;

const RETRYABLE: ReadonlySet<SchemaErrorCode> = new Set(['registry_unreachable']);

/** Base of the schema errors: `code` and `retryable` are what code may branch on. */
export abstract class SchemaSerdeError extends Error {
  abstract readonly code: SchemaErrorCode;
  get retryable(): boolean {
    return RETRYABLE.has(this.code);
  }
}

/** A record that could not be encoded or decoded. Not retryable except `registry_unreachable`. */
export class WireFormatError extends SchemaSerdeError {
  override readonly name = 'WireFormatError';

  constructor(
    readonly code: WireFormatErrorCode,
    message: string,
    options?: { cause?: unknown; readonly schemaId?: number; readonly paths?: readonly string[] },
  ) {
    super(`${message} [${code}]`, options);
    this.schemaId = options?.schemaId;
    this.paths = options?.paths ?? [];
  }

  /** schema id from the record header, when it got that far */
  readonly schemaId: number | undefined;
  /** invalid_value: paths of the fields that do not fit, e.g. `faces.0.box.x1` */
  readonly paths: readonly string[];
}

/** registerAll() failed for a reason other than the registry being unreachable. */
export class SchemaRegistrationError extends SchemaSerdeError {
  override readonly name = 'SchemaRegistrationError';

  constructor(
    readonly code: Exclude<RegistrationErrorCode, 'registry_unreachable'>,
    readonly subject: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${subject}: ${message} [${code}]`, options);
  }
}

/** registerAll() gave up: the registry stayed unreachable through every retry. */
export class SchemaRegistryUnreachable extends SchemaSerdeError {
  override readonly name = 'SchemaRegistryUnreachable';
  readonly code = 'registry_unreachable' as const;

  constructor(
    readonly registryUrl: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function isSchemaSerdeError(e: unknown): e is SchemaSerdeError {
  return e instanceof SchemaSerdeError;
}
