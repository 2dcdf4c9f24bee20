// The analytics sink over the real broker: `facestream up --topology edge` on one short clip, its `sink` process
// writing to the embedded ClickHouse (real chdb, a temporary data directory) write-through. The sink is killed
// (SIGKILL) once ingest has finished the clip and restarted by up's supervisor; afterwards ClickHouse holds each
// of the embedded report's events exactly once (same ids and identities) and its episodes.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyze } from '../../cli/analyze.ts';
import { up } from '../../cli/up.ts';
import type { Report } from '../../report/schema.ts';
import { startSchemaRegistry, type SchemaRegistryServer } from '../../schemas/registry/server.ts';
import { openClickHouse } from '../../stores/clickhouse/index.ts';
import { DEMO_CLIP, DEMO_WATCHLIST } from '../paths.ts';
import { kafkaBrokers, uniqueTopic } from '../support/kafka.ts';

const CAMERA = 'cam-sink';

describe('analytics sink over Kafka (real broker, real chdb)', () => {
  let registry: SchemaRegistryServer;
  let brokers: string[];
  let dir: string;
  let reference: Report;

  beforeAll(async () => {
    brokers = await kafkaBrokers();
    registry = await startSchemaRegistry({ port: 0 });
    dir = await mkdtemp(join(tmpdir(), 'fs-sink-kafka-'));
    ({ report: reference } = await analyze({ source: DEMO_CLIP, watchlistDir: DEMO_WATCHLIST, overrides: { camera: CAMERA }, progress: false, printEvents: false, logLevel: 'silent' }));
  });
  afterAll(async () => {
    await registry?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('writes every event once, across a SIGKILL and restart of the sink', async () => {
    const chDir = join(dir, 'clickhouse');
    const config = join(dir, 'config.json');
    await writeFile(config, JSON.stringify({ stores: { clickhouse: { data_dir: chDir } } }));
    const log: string[] = [];
    let sinkPid: number | undefined;
    let killed = false;
    const code = await up({
      topology: 'edge',
      sources: [{ camera: CAMERA, url: DEMO_CLIP }],
      watchlist: DEMO_WATCHLIST,
      config,
      untilDone: true,
      handleSignals: false,
      restartBackoff: { initialMs: 200, maxMs: 1000 },
      env: { ...process.env, KAFKA_BROKERS: brokers.join(','), SCHEMA_REGISTRY_URL: registry.url, FACESTREAM_TOPIC_PREFIX: `${uniqueTopic('sink')}.` },
      cwd: dir,
      print: (l) => {
        log.push(l);
        const m = /^started sink \(pid (\d+)\)$/.exec(l);
        if (m) sinkPid = Number(m[1]);
      },
      output: (l) => {
        log.push(`[${l.name}] ${l.line}`);
        // the clip is read: the sink is in the middle of (or just past) its work
        if (!killed && l.name.startsWith('edge@') && l.line.includes('"end of stream"') && sinkPid !== undefined) {
          killed = true;
          process.kill(sinkPid, 'SIGKILL');
        }
      },
    });
    expect(code, log.slice(-40).join('\n')).toBe(0);
    expect(killed).toBe(true);
    // the sink opened the store twice: before the kill and after the supervisor restarted it
    expect(log.filter((l) => l.startsWith('[sink]') && l.includes('analytics sink open')).length, log.slice(-40).join('\n')).toBe(2);
    expect(log.filter((l) => l.includes('record sent to the dead-letter topic'))).toEqual([]);

    const store = await openClickHouse({ kind: 'embedded', dataDir: chDir });
    try {
      const events = await (await store.client.query({ query: 'SELECT id, camera, dossier FROM face_events FINAL ORDER BY id', format: 'JSONEachRow' })).json<{ id: string; camera: string; dossier: string | null }>();
      expect(reference.events.length).toBeGreaterThan(5);
      expect(events.map((e) => `${e.id} ${e.camera} ${e.dossier || '-'}`)).toEqual(reference.events.map((e) => `${e.id} ${e.camera} ${e.dossier ?? '-'}`).sort());
      const episodes = await (await store.client.query({ query: "SELECT id FROM episodes FINAL WHERE closed ORDER BY id", format: 'JSONEachRow' })).json<{ id: string }>();
      expect(episodes.map((e) => e.id)).toEqual(reference.episodes.map((e) => e.id).sort());
    } finally {
      await store.close();
    }
  });
});
