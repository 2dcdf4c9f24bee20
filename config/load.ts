// Loads the configuration: defaults ← file (JSON or YAML) ← overrides (CLI flags), validated and frozen.
import { readFileSync } from 'node:fs';
import { FacestreamConfig } from './schema.ts';
import { modelThresholdDefaults } from './model-defaults.ts';
import { validateOrThrow } from './validate.ts';

export type DeepPartial<T> = { [K in keyof T]?: T[K] extends object ? DeepPartial<T[K]> : T[K] };

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function merge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    if (v === undefined) continue;
    out[k] = isPlainObject(v) && isPlainObject(out[k]) ? merge(out[k] as Record<string, unknown>, v) : v;
  }
  return out;
}

function deepFreeze<T>(v: T): T {
  if (isPlainObject(v) || Array.isArray(v)) {
    for (const child of Object.values(v as object)) deepFreeze(child);
    Object.freeze(v);
  }
  return v;
}

/** Every section present (so Ajv fills its defaults), then the given layers on top. */
function skeleton(): Record<string, unknown> {
  const sections = Object.entries(FacestreamConfig.properties).filter(([, s]) => s.type === 'object');
  return Object.fromEntries(sections.map(([k]) => [k, {}]));
}

export async function readConfigFile(path: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new Error(`config file ${path}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'not found' : (err as Error).message}`);
  }
  try {
    const parsed: unknown = /\.ya?ml$/i.test(path) ? (await import('yaml')).parse(text) : JSON.parse(text);
    if (!isPlainObject(parsed)) throw new Error('top level must be an object');
    return parsed;
  } catch (err) {
    throw new Error(`config file ${path}: ${(err as Error).message}`);
  }
}

export function buildConfig(...layers: Array<DeepPartial<FacestreamConfig> | Record<string, unknown>>): Readonly<FacestreamConfig> {
  const merged = layers.reduce<Record<string, unknown>>((acc, layer) => merge(acc, layer as Record<string, unknown>), skeleton());
  return deepFreeze(validateOrThrow(FacestreamConfig, merged, 'configuration'));
}

/** The environment variables facestream reads, as a config layer (the only place env is read). */
export function environmentLayer(env: NodeJS.ProcessEnv): DeepPartial<FacestreamConfig> {
  const brokers = env['KAFKA_BROKERS']?.split(',').map((b) => b.trim()).filter(Boolean);
  return {
    kafka: {
      ...(brokers && brokers.length > 0 ? { brokers } : {}),
      ...(env['SCHEMA_REGISTRY_URL'] ? { schema_registry_url: env['SCHEMA_REGISTRY_URL'] } : {}),
      ...(env['FACESTREAM_TOPIC_PREFIX'] !== undefined ? { topic_prefix: env['FACESTREAM_TOPIC_PREFIX'] } : {}),
    },
    stores: {
      postgres: { ...(env['DATABASE_URL']?.trim() ? { url: env['DATABASE_URL'].trim() } : {}) },
      clickhouse: { ...(env['CLICKHOUSE_URL']?.trim() ? { url: env['CLICKHOUSE_URL'].trim() } : {}) },
    },
  };
}

/**
 * defaults ← the model manifest's thresholds ← file ← environment ← overrides. The manifest is the one the
 * file or the overrides name (`model_manifest`), else the bundled one.
 */
export async function loadConfig(
  file: string | undefined,
  overrides: DeepPartial<FacestreamConfig> = {},
  env: NodeJS.ProcessEnv = process.env,
): Promise<Readonly<FacestreamConfig>> {
  const fileLayer = file ? await readConfigFile(file) : {};
  const manifest = overrides.model_manifest || (typeof fileLayer['model_manifest'] === 'string' ? fileLayer['model_manifest'] : '');
  return buildConfig(modelThresholdDefaults(manifest || undefined), fileLayer, environmentLayer(env), overrides);
}
