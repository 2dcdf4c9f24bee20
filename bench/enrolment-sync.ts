// Enrolment → matcher latency over a real broker (issue 4: "enrol/delete reach every matcher within 1 s"): a dossier
// face is committed to the identity store (PostgreSQL server, then PGlite), and the clock runs until a matcher that
// follows the `dossiers` topic has applied it to its index — the whole path: trigger → outbox row → NOTIFY → relay →
// Kafka (acks from all replicas) → follower → index. Then each face is deleted and timed to its tombstone. One face
// at a time, so each figure is one change's own latency, not a queue's. Vectors are the real embeddings of the
// master.csv photos (bench/matcher-data.ts); the photo's detection and embedding, which the API does before the
// commit, are not part of this figure (docs/BENCHMARKS.md, model latency).
import { pino } from 'pino';
import { createKafkaClient } from '../cli/kafka-client.ts';
import { followDossiersTopic } from '../enrolment/watchlist-sync/kafka-follower.ts';
import { startKafkaDossierPublisher } from '../enrolment/watchlist-sync/kafka-publisher.ts';
import { startOutboxRelay } from '../enrolment/watchlist-sync/outbox-relay.ts';
import { startKafka } from '../infra/kafka/broker.ts';
import { ensurePostgresBinaries } from '../infra/postgres/install.ts';
import { startPostgres } from '../infra/postgres/server.ts';
import { applyDossierFaceChange } from '../pipelines/match/dossier-face-change.ts';
import { createExactFaceIndex, watchListFromFaces } from '../pipelines/match/index.ts';
import { startSchemaRegistry } from '../schemas/registry/server.ts';
import { createTopicSerde } from '../schemas/serde/topic-serde.ts';
import { openDatabase } from '../stores/postgres/open.ts';
import { createDossierFace, deleteDossierFace } from '../stores/postgres/repositories/dossier-faces.ts';
import { createDossier } from '../stores/postgres/repositories/dossiers.ts';
import { createWatchList } from '../stores/postgres/repositories/watch-lists.ts';
import { realFaces } from './matcher-data.ts';

export interface EnrolmentSyncRow {
  readonly store: 'PostgreSQL server' | 'PGlite';
  readonly changes: number;
  /** ms from the commit of a new face until a matcher's index holds it */
  readonly enrol: Percentiles;
  /** ms from the commit of a deletion until the matcher's index no longer holds the face */
  readonly delete: Percentiles;
}

export interface Percentiles {
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
}

const BOX = { left: 0, top: 0, right: 100, bottom: 100 };

function percentiles(ms: readonly number[]): Percentiles {
  const v = [...ms].sort((a, b) => a - b);
  const q = (p: number) => Math.round((v[Math.min(v.length - 1, Math.ceil(p * v.length) - 1)] ?? 0) * 10) / 10;
  return { p50: q(0.5), p99: q(0.99), max: q(1) };
}

export async function measureEnrolmentSync(opts: { readonly log: (line: string) => void; readonly changes?: number }): Promise<EnrolmentSyncRow[]> {
  const changes = opts.changes ?? 50;
  const logger = pino({ level: 'warn' });
  const real = await realFaces();
  const vectors = Object.values(real.vectors).map((v) => Float32Array.from(v));
  opts.log('enrolment sync: starting a broker, a schema registry and a PostgreSQL server');
  const broker = await startKafka();
  const registry = await startSchemaRegistry({ port: 0 });
  await ensurePostgresBinaries();
  const postgres = await startPostgres();
  const rows: EnrolmentSyncRow[] = [];
  try {
    for (const store of ['PostgreSQL server', 'PGlite'] as const) {
      const topicPrefix = `bench-${rows.length}.`;
      const { db } = await openDatabase(store === 'PGlite' ? {} : { url: postgres.url });
      const serde = createTopicSerde({ registryUrl: registry.url, topicPrefix, logger });
      await serde.registerAll();
      const kafka = createKafkaClient({ brokers: broker.brokers, clientId: 'bench-enrolment-sync', logger });
      const publisher = await startKafkaDossierPublisher({ kafka, serde, topicPrefix });
      const relay = await startOutboxRelay({ db, publisher, logger });
      const index = createExactFaceIndex(watchListFromFaces([]));
      /** told after each change the index applied */
      let check: (() => void) | undefined;
      const until = (held: number) =>
        new Promise<void>((resolve) => {
          check = () => index.size === held && resolve();
          check();
        });
      const follower = await followDossiersTopic({
        kafka,
        serde,
        topicPrefix,
        logger,
        onChange: (change) => {
          applyDossierFaceChange(index, change, { modelId: real.embedder });
          check?.();
        },
      });
      try {
        await follower.ready;
        const list = await createWatchList(db, { name: 'bench' });
        const dossier = await createDossier(db, { name: 'bench', watch_list_ids: [list.id] });
        const enrol: number[] = [];
        const faceIds: number[] = [];
        for (let i = 0; i < changes; i++) {
          const t0 = performance.now();
          faceIds.push((await createDossierFace(db, { dossier_id: dossier.id, model_id: real.embedder, embedding: vectors[i % vectors.length]!, quality: -1, bbox: BOX })).id);
          await until(faceIds.length);
          enrol.push(performance.now() - t0);
        }
        const removed: number[] = [];
        for (const [i, id] of faceIds.entries()) {
          const t0 = performance.now();
          await deleteDossierFace(db, id);
          await until(faceIds.length - i - 1);
          removed.push(performance.now() - t0);
        }
        const row = { store, changes, enrol: percentiles(enrol), delete: percentiles(removed) };
        opts.log(`  ${store}: enrol p50 ${row.enrol.p50} ms, p99 ${row.enrol.p99} ms; delete p50 ${row.delete.p50} ms, p99 ${row.delete.p99} ms`);
        rows.push(row);
      } finally {
        await follower.stop();
        await relay.stop();
        await publisher.close();
        await index.close();
        await db.close();
      }
    }
  } finally {
    await postgres.stop();
    await registry.close();
    await broker.stop();
  }
  return rows;
}

export function enrolmentSyncMarkdown(rows: readonly EnrolmentSyncRow[], command: string): string {
  const lines = [
    '## Enrolment to matcher',
    '',
    `\`${command}\`: a dossier face committed to the identity store until a matcher following the \`dossiers\` topic has it in its index (trigger → outbox → NOTIFY → relay → Kafka → follower), one change at a time; then its deletion until the index has dropped it. Issue 4 asks for 1 s.`,
    '',
    '| identity store | changes | enrol p50 ms | enrol p99 ms | enrol max ms | delete p50 ms | delete p99 ms | delete max ms |',
    '|---|---|---|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.store} | ${r.changes} | ${r.enrol.p50} | ${r.enrol.p99} | ${r.enrol.max} | ${r.delete.p50} | ${r.delete.p99} | ${r.delete.max} |`),
    '',
  ];
  return lines.join('\n');
}
