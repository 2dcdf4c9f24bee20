import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildConfig as build, loadConfig } from './load.ts';
import { modelThresholdDefaults } from './model-defaults.ts';
import { renderConfigDocs } from './docs.ts';
import { ValidationError } from './validate.ts';

const buildConfig = (...layers: Parameters<typeof build>) => build(modelThresholdDefaults(), ...layers);

describe('configuration', () => {
  it('takes model thresholds from the manifest, under the file and the flags', async () => {
    const c = await loadConfig(undefined);
    expect(c.match.confidence_threshold).toBe(0.39);
    expect(c.episodes.episodes_threshold).toBe(0.36);
    expect(c.detect.min_score).toBe(0.65);
    expect((await loadConfig(undefined, { match: { confidence_threshold: 0.5 } })).match.confidence_threshold).toBe(0.5);
    expect(() => build()).toThrow(/confidence_threshold/);
  });

  it('reads Kafka settings from the environment, under the flags', async () => {
    const env = { KAFKA_BROKERS: '127.0.0.1:9092, 127.0.0.1:9093', SCHEMA_REGISTRY_URL: 'http://127.0.0.1:8081', FACESTREAM_TOPIC_PREFIX: 'site1.' };
    const c = await loadConfig(undefined, {}, env);
    expect(c.kafka).toMatchObject({ brokers: ['127.0.0.1:9092', '127.0.0.1:9093'], schema_registry_url: 'http://127.0.0.1:8081', topic_prefix: 'site1.' });
    expect((await loadConfig(undefined, { kafka: { topic_prefix: 'x.' } }, env)).kafka.topic_prefix).toBe('x.');
    expect((await loadConfig(undefined, {}, {})).kafka.brokers).toEqual([]);
  });

  it('reads the stores from the environment (DATABASE_URL, CLICKHOUSE_URL), under the file and flags; embedded by default', async () => {
    const env = { DATABASE_URL: 'postgres://u:p@db:5432/fs', CLICKHOUSE_URL: 'http://default:s@ch:8123' };
    const c = await loadConfig(undefined, {}, env);
    expect(c.stores.postgres.url).toBe('postgres://u:p@db:5432/fs');
    expect(c.stores.clickhouse.url).toBe('http://default:s@ch:8123');
    expect((await loadConfig(undefined, { stores: { clickhouse: { url: 'http://other:8123' } } }, env)).stores.clickhouse.url).toBe('http://other:8123');
    const d = buildConfig();
    expect(d.stores.postgres).toEqual({ url: '', data_dir: '.facestream/data/postgres', max_connections: 10 });
    expect(d.stores.clickhouse).toMatchObject({ url: '', data_dir: '.facestream/data/clickhouse', sink: { max_rows: 1000, max_delay_ms: 1000 } });
    expect(d.stores.clickhouse.retention).toMatchObject({ matched_events_days: 90, unmatched_events_days: 30 });
    expect(buildConfig({ stores: { clickhouse: { retention: { matched_events_days: 7 } } } }).stores.clickhouse.retention).toMatchObject({ matched_events_days: 7, unmatched_events_days: 30 });
    expect(() => buildConfig({ stores: { clickhouse: { retention: { kept_days: 1 } } } } as Record<string, unknown>)).toThrow(/\/stores\/clickhouse\/retention: unknown key "kept_days"/);
  });

  it('fills FindFace defaults and freezes the result', () => {
    const c = buildConfig();
    expect(c.track.miss_interval).toBe(1);
    expect(c.best_shot.realtime_post_interval).toBe(1);
    expect(c.best_shot.filter_min_quality).toBe(-2);
    expect(c.episodes).toMatchObject({ episode_search_interval: 60, episode_max_duration: 300, episode_event_timeout: 30 });
    expect(c.enrol.mf_selector).toBe('reject');
    expect(Object.isFrozen(c.track)).toBe(true);
  });

  it('layers overrides over defaults', () => {
    expect(buildConfig({ ingest: { fps: 5 } }, { ingest: { max_width: 640 } }).ingest).toMatchObject({ fps: 5, max_width: 640 });
  });

  it('rejects unknown keys and out-of-range values, naming the path', () => {
    expect(() => buildConfig({ track: { miss_intervall: 2 } } as Record<string, unknown>)).toThrow(/\/track: unknown key "miss_intervall"/);
    expect(() => buildConfig({ enrol: { mf_selector: 'largest' } } as Record<string, unknown>)).toThrow(ValidationError);
    expect(() => buildConfig({ best_shot: { roi: '10x10' } })).toThrow(/\/best_shot\/roi/);
  });

  it('docs/config.md is generated from the current schema (npm run docs:config)', () => {
    expect(readFileSync(new URL('../docs/config.md', import.meta.url), 'utf8')).toBe(renderConfigDocs());
  });
});
