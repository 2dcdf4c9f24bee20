// The registry's state: schemas by global id, subjects as lists of versions, compatibility levels. Ids and
// versions never change once given: with a data directory every change is written to one JSON file (temp file +
// rename, so a crash leaves the old or the new file, never half of one) before the caller is answered.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Type } from 'avsc';
import { DEFAULT_COMPATIBILITY, compatibilityProblems, parseAvroSchema, parseCompatibilityLevel } from './avro.ts';
import type { CompatibilityLevel, ParsedSchema } from './avro.ts';
import { RegistryHttpError, CONFLUENT_ERROR_CODES, incompatibleSchema } from './errors.ts';

export const STATE_FILE = 'schema-registry.json';

/** The file's shape. */
interface PersistedState {
  readonly format: 1;
  readonly nextId: number;
  readonly schemas: ReadonlyArray<{ readonly id: number; readonly schema: string }>;
  /** subject → schema id of each version, version n at index n-1 */
  readonly subjects: { readonly [subject: string]: readonly number[] };
  readonly globalCompatibility: CompatibilityLevel;
  readonly subjectCompatibility: { readonly [subject: string]: CompatibilityLevel };
}

export interface StoredSchema extends ParsedSchema {
  readonly id: number;
}

export interface SubjectVersion {
  readonly subject: string;
  readonly version: number;
  readonly id: number;
  readonly schema: string;
}

/** The registry's state could not be read at start; never silently start empty, ids would be given twice. */
export class RegistryStateError extends Error {
  override readonly name = 'RegistryStateError';
}

export class SchemaStore {
  private nextId = 1;
  private readonly byId = new Map<number, StoredSchema>();
  private readonly byCanonical = new Map<string, number>();
  private readonly subjects = new Map<string, number[]>();
  private globalLevel: CompatibilityLevel = DEFAULT_COMPATIBILITY;
  private readonly subjectLevels = new Map<string, CompatibilityLevel>();
  /** mutations run one after another, each persisted before the next starts */
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(private readonly file: string | undefined) {}

  /** Memory only without `dataDir`; else loads `<dataDir>/schema-registry.json` when it exists. */
  static async open(dataDir?: string): Promise<SchemaStore> {
    if (dataDir === undefined) return new SchemaStore(undefined);
    await mkdir(dataDir, { recursive: true });
    const store = new SchemaStore(join(dataDir, STATE_FILE));
    let text: string | undefined;
    try {
      text = await readFile(join(dataDir, STATE_FILE), 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
    if (text !== undefined) store.restore(text);
    return store;
  }

  // ---- reads

  schemaById(id: number): StoredSchema | undefined {
    return this.byId.get(id);
  }

  subjectNames(): string[] {
    return [...this.subjects.keys()].sort();
  }

  /** version numbers of a subject, undefined when it has none */
  versions(subject: string): number[] | undefined {
    const ids = this.subjects.get(subject);
    return ids === undefined ? undefined : ids.map((_, i) => i + 1);
  }

  /** a version of a subject; `latest` for the newest. undefined when the version does not exist */
  version(subject: string, version: number | 'latest'): SubjectVersion | undefined {
    const ids = this.subjects.get(subject);
    if (ids === undefined) return undefined;
    const n = version === 'latest' ? ids.length : version;
    const id = ids[n - 1];
    if (id === undefined) return undefined;
    return { subject, version: n, id, schema: this.schemaOf(id).text };
  }

  /** the version of `subject` holding this schema (canonical comparison) */
  lookup(subject: string, schema: ParsedSchema): SubjectVersion | undefined {
    const ids = this.subjects.get(subject) ?? [];
    const id = this.byCanonical.get(schema.canonical);
    const index = id === undefined ? -1 : ids.indexOf(id);
    return id === undefined || index < 0 ? undefined : { subject, version: index + 1, id, schema: this.schemaOf(id).text };
  }

  hasSubject(subject: string): boolean {
    return this.subjects.has(subject);
  }

  globalCompatibility(): CompatibilityLevel {
    return this.globalLevel;
  }

  /** the subject's own level, undefined when it uses the global one */
  subjectCompatibility(subject: string): CompatibilityLevel | undefined {
    return this.subjectLevels.get(subject);
  }

  effectiveCompatibility(subject: string): CompatibilityLevel {
    return this.subjectLevels.get(subject) ?? this.globalLevel;
  }

  /** the types of a subject's versions, oldest first */
  versionTypes(subject: string): Type[] {
    return (this.subjects.get(subject) ?? []).map((id) => this.schemaOf(id).type);
  }

  // ---- writes

  /**
   * Registers a schema under a subject. The same schema again returns the version it already has; the same
   * schema under another subject gets the id it already has. Throws 409 when the subject's level forbids it.
   */
  register(subject: string, schema: ParsedSchema): Promise<{ id: number; version: number; created: boolean }> {
    return this.mutate(() => {
      const existing = this.lookup(subject, schema);
      if (existing !== undefined) return { id: existing.id, version: existing.version, created: false };
      const problems = compatibilityProblems(this.effectiveCompatibility(subject), schema.type, this.versionTypes(subject));
      if (problems.length > 0) throw incompatibleSchema(problems);
      let id = this.byCanonical.get(schema.canonical);
      if (id === undefined) {
        id = this.nextId++;
        this.byId.set(id, { ...schema, id });
        this.byCanonical.set(schema.canonical, id);
      }
      const ids = this.subjects.get(subject) ?? [];
      ids.push(id);
      this.subjects.set(subject, ids);
      return { id, version: ids.length, created: true };
    });
  }

  setCompatibility(subject: string | undefined, level: CompatibilityLevel): Promise<void> {
    return this.mutate(() => {
      if (subject === undefined) this.globalLevel = level;
      else this.subjectLevels.set(subject, level);
    });
  }

  // ---- internals

  private schemaOf(id: number): StoredSchema {
    const s = this.byId.get(id);
    if (s === undefined) throw new Error(`schema store is inconsistent: no schema ${id}`);
    return s;
  }

  /** Runs `change` alone, then persists; when persisting fails the change is undone and a 500 is thrown. */
  private mutate<T>(change: () => T): Promise<T> {
    const run = async (): Promise<T> => {
      const before = this.file === undefined ? undefined : this.serialise();
      const result = change();
      if (this.file !== undefined && before !== undefined) {
        const after = this.serialise();
        if (after !== before) {
          try {
            await writeAtomically(this.file, after);
          } catch (e) {
            this.restore(before);
            throw new RegistryHttpError(500, CONFLUENT_ERROR_CODES.storeError, 'Error in the backend data store', { cause: e });
          }
        }
      }
      return result;
    };
    const next = this.queue.then(run, run);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private serialise(): string {
    const state: PersistedState = {
      format: 1,
      nextId: this.nextId,
      schemas: [...this.byId.values()].map((s) => ({ id: s.id, schema: s.text })),
      subjects: Object.fromEntries(this.subjects),
      globalCompatibility: this.globalLevel,
      subjectCompatibility: Object.fromEntries(this.subjectLevels),
    };
    return `${JSON.stringify(state, null, 2)}\n`;
  }

  private restore(text: string): void {
    const where = this.file ?? 'schema registry state';
    let state: PersistedState;
    try {
      state = JSON.parse(text) as PersistedState;
    } catch (e) {
      throw new RegistryStateError(`${where}: not JSON (${e instanceof Error ? e.message : String(e)}); fix or move it away`);
    }
    if (state.format !== 1) throw new RegistryStateError(`${where}: unknown format ${String(state.format)}`);
    this.byId.clear();
    this.byCanonical.clear();
    this.subjects.clear();
    this.subjectLevels.clear();
    for (const { id, schema } of state.schemas) {
      const parsed = parseAvroSchema(schema);
      this.byId.set(id, { ...parsed, id });
      if (!this.byCanonical.has(parsed.canonical)) this.byCanonical.set(parsed.canonical, id);
    }
    for (const [subject, ids] of Object.entries(state.subjects)) {
      for (const id of ids) if (!this.byId.has(id)) throw new RegistryStateError(`${where}: subject ${subject} refers to missing schema ${id}`);
      this.subjects.set(subject, [...ids]);
    }
    this.nextId = state.nextId;
    this.globalLevel = parseCompatibilityLevel(state.globalCompatibility) ?? DEFAULT_COMPATIBILITY;
    for (const [subject, level] of Object.entries(state.subjectCompatibility)) {
      const parsed = parseCompatibilityLevel(level);
      if (parsed !== undefined) this.subjectLevels.set(subject, parsed);
    }
  }
}

let tmpCounter = 0;

async function writeAtomically(file: string, text: string): Promise<void> {
  const tmp = `${file}.${process.pid}.${++tmpCounter}.tmp`;
  await writeFile(tmp, text, { flush: true });
  await rename(tmp, file);
}
