// A stateful stage's state lives in a compacted topic of its own, one record per state key (camera, scope),
// written in the same transaction as the outputs and offsets it belongs to. On start and after every
// rebalance the stage is given back the keys of the partitions it now owns. The topic is internal: values
// are V8 structured-clone bytes ({ partition, value }), not a public Avro contract.
import { randomUUID } from 'node:crypto';
import { deserialize, serialize } from 'node:v8';
import type { Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import type { StageState } from '../stage.ts';
import type { OutgoingMessage } from './committer.ts';

interface SavedEntry {
  readonly partition: number;
  readonly value: unknown;
}

/** The state records of the changes `state` holds now; each key is attributed to `partitionOf(key)`. */
export function stateMessages(state: StageState, topic: string, partitionOf: (key: string) => number): OutgoingMessage[] {
  return state.takeChanges().map(([key, value]) => ({
    topic,
    key: Buffer.from(key),
    value: value === null ? null : serialize({ partition: partitionOf(key), value } satisfies SavedEntry),
  }));
}

/** After joining, how long the loader waits for a first batch; then, between batches, before it takes the end as reached. */
const FIRST_BATCH_MS = 15_000;
const QUIET_MS = 3000;

/**
 * Reads the state topic to its end (committed records only) and returns the newest value per key whose
 * partition is in `owned` (keys never attributed to a partition, -1, are always returned).
 */
export async function loadState(kafka: Kafka, topic: string, owned: ReadonlySet<number>, logger: Logger): Promise<Array<readonly [string, unknown]>> {
  const admin = kafka.admin();
  await admin.connect();
  const ends = await admin.fetchTopicOffsets(topic).finally(() => admin.disconnect());
  const end = new Map(ends.map((p) => [p.partition, BigInt(p.high)]));
  const latest = new Map<string, SavedEntry | null>();
  if ([...end.values()].some((h) => h > 0n)) {
    const consumer = kafka.consumer({ groupId: `${topic}-loader-${randomUUID()}`, readUncommitted: false, allowAutoTopicCreation: false });
    await consumer.connect();
    try {
      await consumer.subscribe({ topic, fromBeginning: true });
      let idle: NodeJS.Timeout | undefined;
      await new Promise<void>((resolve, reject) => {
        const reached = new Set<number>();
        // A partition whose tail is an aborted transaction never shows its end: stop when nothing comes for a
        // while. The clock starts once the loader has joined its group — not before: joining can take seconds
        // (a broker just restarted, a loaded machine), and a restore cut short would silently lose state.
        const quiet = (ms: number) => {
          clearTimeout(idle);
          idle = setTimeout(() => {
            const missing = [...end].filter(([p, h]) => h > 0n && !reached.has(p)).map(([p]) => p);
            if (missing.length > 0) logger.warn({ topic, partitions: missing, quietMs: ms }, 'state topic read ended by quiet time before its end offset (an aborted transaction at the tail, or nothing readable)');
            resolve();
          }, ms);
        };
        consumer.on(consumer.events.GROUP_JOIN, () => quiet(FIRST_BATCH_MS));
        consumer
          .run({
            eachBatch: async ({ batch }) => {
              clearTimeout(idle);
              for (const m of batch.messages) {
                const key = m.key?.toString() ?? '';
                latest.set(key, m.value ? (deserialize(m.value) as SavedEntry) : null);
              }
              if (BigInt(batch.lastOffset()) + 1n >= (end.get(batch.partition) ?? 0n)) reached.add(batch.partition);
              if ([...end].every(([p, h]) => h === 0n || reached.has(p))) resolve();
              else quiet(QUIET_MS);
            },
          })
          .catch(reject);
      }).finally(() => clearTimeout(idle));
    } finally {
      await consumer.disconnect();
    }
  }
  const entries = [...latest].flatMap(([key, saved]) => (saved && (saved.partition < 0 || owned.has(saved.partition)) ? [[key, saved.value] as const] : []));
  logger.info({ topic, keys: entries.length, partitions: [...owned].sort() }, 'state restored');
  return entries;
}
