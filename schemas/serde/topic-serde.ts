// Keys and values of facestream's topics in Confluent wire format (wire-format.ts), with the schemas in a
// Confluent-compatible registry. Registration and schema look-ups by id go through
// @kafkajs/confluent-schema-registry (its cache keeps one fetch per id); the Avro encoding uses our own parsed
// types, so encoding never waits on the network once registerAll() is done.
//
// Decoding reads the writer schema named by the record's id and, when it differs from our current schema for the
// topic, resolves it into ours (Avro schema resolution: new fields get their defaults, removed ones are skipped).
import avro from 'avsc';
import type { Type } from 'avsc';
import { SchemaRegistry, SchemaType, COMPATIBILITY } from '@kafkajs/confluent-schema-registry';
import type { Logger } from 'pino';
import { AVRO_NAMESPACE, loadAvroContracts } from '../avro/contracts.ts';
import type { AvroContracts } from '../avro/contracts.ts';
import type { TopicKeys, TopicValues } from '../generated/avro-types.ts';
import { TOPIC_CONTRACTS, TOPIC_NAMES, topicSubjects } from '../topics.ts';
import type { TopicName } from '../topics.ts';
import { EncodedRecord } from './encoded-record.ts';
import { SchemaRegistrationError, SchemaRegistryUnreachable, WireFormatError } from './errors.ts';
import { HttpAnswerError, classifyRegistryFailure, registryRequest } from './registry-failures.ts';
import type { RegistryFailure } from './registry-failures.ts';
import './avsc-bytes-pool.ts';
import { Slab } from './slab.ts';
import { HEADER_BYTES, unframe, writeHeader } from './wire-format.ts';

type Resolver = ReturnType<Type['createResolver']>;

/** The compatibility level facestream sets on its subjects (docs/SCHEMAS.md, evolution rules). */
export const SUBJECT_COMPATIBILITY = 'BACKWARD';

export interface TopicSerdeOptions {
  /** e.g. http://127.0.0.1:8081, no trailing slash needed */
  readonly registryUrl: string;
  /** prepended to every topic name, and so to every subject; default '' */
  readonly topicPrefix?: string;
  readonly logger: Pick<Logger, 'info' | 'warn'>;
  /** default: schemas/avro */
  readonly contracts?: AvroContracts;
  /** registerAll() while the registry is unreachable: attempts (default 8) and backoff (250 ms doubling to 5 s) */
  readonly registerRetry?: { readonly attempts?: number; readonly initialDelayMs?: number; readonly maxDelayMs?: number };
  /** per HTTP request to the registry; default 10 s */
  readonly requestTimeoutMs?: number;
  /** retries of one request inside the Confluent client on network errors and 5xx; default 2 */
  readonly requestRetries?: number;
}

export interface TopicSerde {
  /**
   * Registers the key and value schema of every topic (TopicNameStrategy subjects) and sets BACKWARD on
   * subjects that have no level yet. Retries with backoff while the registry is unreachable, one warning line
   * per attempt, then throws SchemaRegistryUnreachable. Other refusals throw SchemaRegistrationError at once.
   */
  registerAll(): Promise<void>;
  /** Confluent-framed Avro of a key; throws WireFormatError `not_registered` or `invalid_value`. */
  encodeKey<T extends TopicName>(topic: T, key: TopicKeys[T]): Buffer;
  /** Confluent-framed Avro of a value; throws WireFormatError `not_registered` or `invalid_value`. */
  encodeValue<T extends TopicName>(topic: T, value: TopicValues[T]): Buffer;
  /**
   * Decodes any framed record. A writer schema that is one of our named types (e.g. facestream.FaceEvent) is read
   * as our current version of it; any other schema (a key's "string", someone else's record) as written.
   */
  decode(buffer: Buffer): Promise<unknown>;
  /**
   * As decode, with the Avro body kept when it was written with our current schema of the record (EncodedRecord, a
   * view into `buffer`): put into a field of an output, it is written as it is instead of encoded again.
   */
  decodeKeepingBody(buffer: Buffer): Promise<DecodedRecord>;
  /** Decodes a key of `topic`, resolved into our key schema; throws WireFormatError (e.g. `schema_mismatch`). */
  decodeKey<T extends TopicName>(topic: T, buffer: Buffer): Promise<TopicKeys[T]>;
  /** Decodes a value of `topic`, resolved into our value schema; throws WireFormatError (e.g. `schema_mismatch`). */
  decodeValue<T extends TopicName>(topic: T, buffer: Buffer): Promise<TopicValues[T]>;
  /** subject → schema id registered by registerAll() */
  registeredIds(): ReadonlyMap<string, number>;
}

export interface DecodedRecord {
  readonly value: unknown;
  readonly encoded: EncodedRecord | null;
}

export function createTopicSerde(options: TopicSerdeOptions): TopicSerde {
  return new ConfluentTopicSerde(options);
}

interface Subject {
  readonly topic: TopicName;
  readonly part: 'key' | 'value';
  readonly name: string;
  readonly type: Type;
  /** the self-contained schema JSON we register */
  readonly schema: string;
}

class ConfluentTopicSerde implements TopicSerde {
  private readonly url: string;
  private readonly client: SchemaRegistry;
  private readonly contracts: AvroContracts;
  private readonly keyTypes = new Map<TopicName, Type>();
  private readonly valueTypes = new Map<TopicName, Type>();
  private readonly subjects: readonly Subject[];
  private readonly ids = new Map<string, number>();
  /** `${schemaId}>${reader}` → resolver, or null when writer and reader are the same schema */
  private readonly resolvers = new Map<string, Resolver | null>();
  /** writer schemas by id: a registry never changes the schema of an id, so one look-up per id and process */
  private readonly writers = new Map<number, Type>();
  private readonly timeoutMs: number;
  /** per record type, its fields that are records themselves (which may come as an EncodedRecord) */
  private readonly recordFields = new Map<Type, readonly string[]>();
  /** where encode() writes records: each is a view of it, no copy */
  private readonly slab = new Slab();

  constructor(private readonly options: TopicSerdeOptions) {
    this.url = options.registryUrl.replace(/\/+$/, '');
    this.timeoutMs = options.requestTimeoutMs ?? 10_000;
    const timeout = this.timeoutMs;
    this.client = new SchemaRegistry({
      host: this.url,
      clientId: 'facestream',
      retry: { retries: options.requestRetries ?? 2 },
      // mappersmith has no timeout by default: a registry behind a black hole would hang registerAll for ever
      middlewares: [
        () => ({
          prepareRequest: (next) => next().then((req) => req.enhance({ timeout })),
        }),
      ],
    });
    this.contracts = options.contracts ?? loadAvroContracts();
    const prefix = options.topicPrefix ?? '';
    const subjects: Subject[] = [];
    for (const topic of TOPIC_NAMES) {
      const c = TOPIC_CONTRACTS[topic];
      const keySchema: avro.Schema = typeof c.keySchema === 'string' ? c.keySchema : [...c.keySchema];
      const keyType = avro.Type.forSchema(keySchema);
      const valueType = this.contracts.type(c.valueType);
      this.keyTypes.set(topic, keyType);
      this.valueTypes.set(topic, valueType);
      const { keySubject, valueSubject } = topicSubjects(topic, prefix);
      subjects.push({ topic, part: 'key', name: keySubject, type: keyType, schema: JSON.stringify(keyType.schema({ exportAttrs: true })) });
      subjects.push({
        topic,
        part: 'value',
        name: valueSubject,
        type: valueType,
        schema: JSON.stringify(this.contracts.expandedSchema(c.valueType)),
      });
    }
    this.subjects = subjects;
  }

  // ---- registration

  async registerAll(): Promise<void> {
    const attempts = Math.max(1, this.options.registerRetry?.attempts ?? 8);
    const maxDelay = this.options.registerRetry?.maxDelayMs ?? 5_000;
    let delay = this.options.registerRetry?.initialDelayMs ?? 250;
    const started = Date.now();
    let lastDetail = '';
    for (let attempt = 1; attempt <= attempts; attempt++) {
      let current: Subject | undefined;
      try {
        for (const subject of this.subjects) {
          current = subject;
          if (this.ids.has(subject.name)) continue;
          const id = subject.part === 'value' ? await this.registerWithClient(subject) : await this.registerOverHttp(subject);
          this.ids.set(subject.name, id);
        }
        this.options.logger.info(
          { registry: this.url, subjects: this.ids.size },
          `schemas registered: ${this.ids.size} subjects at ${this.url}`,
        );
        return;
      } catch (e) {
        if (e instanceof SchemaRegistrationError) throw e;
        const failure = await classifyRegistryFailure(e, this.url, Math.min(this.timeoutMs, 2_000));
        if (failure.kind !== 'unreachable') throw this.registrationError(current?.name ?? '?', failure, e);
        lastDetail = failure.detail;
        if (attempt === attempts) break;
        this.options.logger.warn(
          `schema registry ${this.url} unreachable (${failure.detail}); attempt ${attempt}/${attempts}, retrying in ${delay} ms`,
        );
        await sleep(delay);
        delay = Math.min(delay * 2, maxDelay);
      }
    }
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    throw new SchemaRegistryUnreachable(
      this.url,
      `schema registry ${this.url} unreachable after ${attempts} attempts over ${seconds} s (${lastDetail}); ` +
        `check SCHEMA_REGISTRY_URL and that the registry is running`,
    );
  }

  /** Value subjects: named records, which the Confluent client registers (and then caches by id). */
  private async registerWithClient(subject: Subject): Promise<number> {
    try {
      const { id } = await this.client.register(
        { type: SchemaType.AVRO, schema: subject.schema },
        { subject: subject.name, compatibility: COMPATIBILITY.BACKWARD },
      );
      return id;
    } catch (e) {
      // the client compares the subject's level with ours before registering and refuses on a difference
      if (e instanceof Error && e.name === 'ConfluentSchemaRegistryCompatibilityError') {
        throw new SchemaRegistrationError('compatibility_mismatch', subject.name, `${e.message}; facestream expects ${SUBJECT_COMPATIBILITY}`, { cause: e });
      }
      throw e;
    }
  }

  /**
   * Key subjects: "string" or ["null","bytes"]. The Confluent client refuses to register a schema without a name
   * ("Invalid name"), so these go over plain HTTP, with the same policy: set BACKWARD when the subject has no level.
   */
  private async registerOverHttp(subject: Subject): Promise<number> {
    const configPath = `/config/${encodeURIComponent(subject.name)}`;
    let level: string | undefined;
    try {
      level = (await registryRequest<{ compatibilityLevel?: string }>(this.url, 'GET', configPath, undefined, this.timeoutMs)).compatibilityLevel;
    } catch (e) {
      if (!(e instanceof HttpAnswerError && e.status === 404)) throw e;
    }
    if (level !== undefined && level.toUpperCase() !== SUBJECT_COMPATIBILITY) {
      throw new SchemaRegistrationError('compatibility_mismatch', subject.name, `compatibility is ${level}, facestream expects ${SUBJECT_COMPATIBILITY}`);
    }
    const { id } = await registryRequest<{ id: number }>(
      this.url,
      'POST',
      `/subjects/${encodeURIComponent(subject.name)}/versions`,
      { schema: subject.schema },
      this.timeoutMs,
    );
    if (level === undefined) {
      await registryRequest(this.url, 'PUT', configPath, { compatibility: SUBJECT_COMPATIBILITY }, this.timeoutMs);
    }
    return id;
  }

  private registrationError(subject: string, failure: RegistryFailure, cause: unknown): SchemaRegistrationError {
    if (failure.kind === 'rejected' && failure.status === 409) {
      return new SchemaRegistrationError('incompatible_schema', subject, `the registry refuses the schema as incompatible: ${failure.detail}`, { cause });
    }
    if (failure.kind === 'rejected' && failure.status === 422) {
      return new SchemaRegistrationError('invalid_schema', subject, `the registry refuses the schema as invalid: ${failure.detail}`, { cause });
    }
    return new SchemaRegistrationError('registry_error', subject, failure.detail, { cause });
  }

  registeredIds(): ReadonlyMap<string, number> {
    return this.ids;
  }

  // ---- encoding

  encodeKey<T extends TopicName>(topic: T, key: TopicKeys[T]): Buffer {
    return this.encode(topic, 'key', this.typeOf(this.keyTypes, topic), key);
  }

  encodeValue<T extends TopicName>(topic: T, value: TopicValues[T]): Buffer {
    return this.encode(topic, 'value', this.typeOf(this.valueTypes, topic), value);
  }

  private encode(topic: TopicName, part: 'key' | 'value', type: Type, value: unknown): Buffer {
    const subject = `${topicSubjects(topic, this.options.topicPrefix ?? '').kafkaTopic}-${part}`;
    const id = this.ids.get(subject);
    if (id === undefined) throw new WireFormatError('not_registered', `${subject} is not registered yet: call registerAll() first`);
    try {
      return this.encodeFramed(type, value, id);
    } catch (e) {
      const paths: string[] = [];
      type.isValid(value, { errorHook: (path) => paths.push(path.join('.')) });
      throw new WireFormatError(
        'invalid_value',
        `${topic} ${part} does not fit ${type.name ?? type.typeName}${paths.length > 0 ? ` at ${paths.join(', ')}` : ''}: ${e instanceof Error ? e.message : String(e)}`,
        { cause: e, schemaId: id, paths },
      );
    }
  }

  /**
   * The header and the Avro body written once, in place, into the slab. avsc's toBuffer writes a record over 1 KiB
   * twice (once into its own 1 KiB buffer to learn the size, again into a new one) and framing copied it a third time.
   */
  private encodeFramed(type: Type, value: unknown, schemaId: number): Buffer {
    const byField = this.holdsEncoded(type, value);
    for (;;) {
      const { buf, start } = this.slab.free();
      const bodyAt = start + HEADER_BYTES;
      const end = bodyAt > buf.length ? -HEADER_BYTES : byField ? encodeFieldByField(type as avro.types.RecordType, value as Record<string, unknown>, buf, bodyAt) : type.encode(value, buf, bodyAt);
      if (end >= 0) {
        writeHeader(buf, schemaId, start);
        return this.slab.take(end);
      }
      // avsc answers how many bytes were missing
      this.slab.renew(2 * (buf.length - start - end));
    }
  }

  /** Whether one of the record's fields of a record type holds an EncodedRecord. */
  private holdsEncoded(type: Type, value: unknown): boolean {
    let fields = this.recordFields.get(type);
    if (fields === undefined) {
      fields = type instanceof avro.types.RecordType ? type.fields.filter((f) => f.type instanceof avro.types.RecordType).map((f) => f.name) : [];
      this.recordFields.set(type, fields);
    }
    for (const name of fields) if ((value as Record<string, unknown>)[name] instanceof EncodedRecord) return true;
    return false;
  }

  // ---- decoding

  async decode(buffer: Buffer): Promise<unknown> {
    return (await this.decodeKeepingBody(buffer)).value;
  }

  async decodeKeepingBody(buffer: Buffer): Promise<DecodedRecord> {
    const { schemaId, body } = unframe(buffer);
    const writer = await this.writerSchema(schemaId);
    const name = writer.name;
    const reader =
      name !== undefined && name.startsWith(`${AVRO_NAMESPACE}.`) && this.contracts.names.includes(name.slice(AVRO_NAMESPACE.length + 1))
        ? this.contracts.type(name.slice(AVRO_NAMESPACE.length + 1))
        : writer;
    const what = reader === writer ? 'writer' : (name ?? '');
    const resolver = this.resolverFor(schemaId, writer, reader, what);
    const value = this.read(schemaId, resolver, reader, what, body);
    // written with our current schema of one of our records: the body is what encoding the value would give
    return { value, encoded: reader !== writer && resolver === null ? new EncodedRecord(name!, body) : null };
  }

  async decodeKey<T extends TopicName>(topic: T, buffer: Buffer): Promise<TopicKeys[T]> {
    return (await this.decodeAs(`${topic} key`, this.typeOf(this.keyTypes, topic), buffer)) as TopicKeys[T];
  }

  async decodeValue<T extends TopicName>(topic: T, buffer: Buffer): Promise<TopicValues[T]> {
    return (await this.decodeAs(`${topic} value`, this.typeOf(this.valueTypes, topic), buffer)) as TopicValues[T];
  }

  private async decodeAs(what: string, reader: Type, buffer: Buffer): Promise<unknown> {
    const { schemaId, body } = unframe(buffer);
    const writer = await this.writerSchema(schemaId);
    return this.read(schemaId, this.resolverFor(schemaId, writer, reader, what), reader, what, body);
  }

  /** The writer schema of an id, from this serde's map, else the registry (through the client's cache). */
  private async writerSchema(schemaId: number): Promise<Type> {
    const known = this.writers.get(schemaId);
    if (known) return known;
    let schema: unknown;
    try {
      schema = await this.client.getSchema(schemaId);
    } catch (e) {
      const failure = await classifyRegistryFailure(e, this.url, Math.min(this.timeoutMs, 2_000));
      if (failure.kind === 'not_found') {
        throw new WireFormatError('unknown_schema_id', `schema id ${schemaId} is not in the registry at ${this.url}`, { cause: e, schemaId });
      }
      if (failure.kind === 'unreachable') {
        throw new WireFormatError('registry_unreachable', `schema registry ${this.url} unreachable (${failure.detail}) while fetching schema ${schemaId}`, { cause: e, schemaId });
      }
      const code = e instanceof Error && e.name === 'ConfluentSchemaRegistryArgumentError' ? 'schema_mismatch' : 'registry_error';
      throw new WireFormatError(code, `schema ${schemaId}: ${failure.detail}`, { cause: e, schemaId });
    }
    if (!avro.Type.isType(schema)) {
      throw new WireFormatError('schema_mismatch', `schema ${schemaId} is not an Avro schema`, { schemaId });
    }
    this.writers.set(schemaId, schema as Type);
    return schema as Type;
  }

  private read(schemaId: number, resolver: Resolver | null, reader: Type, what: string, body: Buffer): unknown {
    let decoded: { value: unknown; offset: number };
    try {
      decoded = resolver === null ? reader.decode(body, 0) : reader.decode(body, 0, resolver);
    } catch (e) {
      throw new WireFormatError('corrupt_body', `${what}: Avro body of ${body.length} bytes cannot be read with schema ${schemaId}: ${e instanceof Error ? e.message : String(e)}`, {
        cause: e,
        schemaId,
      });
    }
    if (decoded.offset < 0) {
      throw new WireFormatError('truncated_body', `${what}: Avro body of ${body.length} bytes ends before the value does (schema ${schemaId})`, { schemaId });
    }
    if (decoded.offset < body.length) {
      throw new WireFormatError('trailing_bytes', `${what}: ${body.length - decoded.offset} bytes left after the value (schema ${schemaId})`, { schemaId });
    }
    return decoded.value;
  }

  private resolverFor(schemaId: number, writer: Type, reader: Type, what: string): Resolver | null {
    if (reader === writer) return null;
    const key = `${schemaId}>${reader.name ?? JSON.stringify(reader.schema())}`;
    const cached = this.resolvers.get(key);
    if (cached !== undefined) return cached;
    let resolver: Resolver | null;
    if (writer.equals(reader)) {
      resolver = null;
    } else {
      try {
        resolver = reader.createResolver(writer);
      } catch (e) {
        throw new WireFormatError(
          'schema_mismatch',
          `${what}: data written with schema ${schemaId} (${writer.name ?? writer.typeName}) cannot be read as ${reader.name ?? reader.typeName}: ${e instanceof Error ? e.message : String(e)}`,
          { cause: e, schemaId },
        );
      }
    }
    this.resolvers.set(key, resolver);
    return resolver;
  }

  private typeOf(map: ReadonlyMap<TopicName, Type>, topic: TopicName): Type {
    const t = map.get(topic);
    if (t === undefined) throw new WireFormatError('not_registered', `unknown topic ${String(topic)}`);
    return t;
  }
}

/**
 * A record written field after field (its Avro encoding is its fields' one after the other), the EncodedRecords
 * among them as their bytes; returns where it ends, or minus the bytes missing when `buf` is too small (as avsc).
 */
function encodeFieldByField(type: avro.types.RecordType, value: Record<string, unknown>, buf: Buffer, pos: number): number {
  for (const field of type.fields) {
    const v = value[field.name];
    if (v instanceof EncodedRecord) {
      if (v.typeName !== field.type.name) throw new Error(`field ${field.name} holds the Avro body of ${v.typeName}, not of ${field.type.name}`);
      const end = pos + v.body.length;
      if (end > buf.length) return buf.length - end;
      v.body.copy(buf, pos);
      pos = end;
    } else {
      pos = field.type.encode(v === undefined ? field.defaultValue() : v, buf, pos);
      if (pos < 0) return pos;
    }
  }
  return pos;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
