// The outbox relay: the rows that the identity store's triggers write into an outbox table (migration 002 for
// dossier faces, 003 for cameras) become records of a compacted topic (`dossiers`, `cameras`) or of in-process
// subscribers (docs/STORES.md "Outbox"). Each round, in one transaction: take the outbox's relay lock (a second
// relay on the same database waits its turn, so two never publish one key's states out of order), read the oldest
// rows, read the current state of what they name, publish an upsert per key that is held and a tombstone per
// other key, and delete the rows only once the publish is acknowledged (in PGlite the publish runs outside the
// transaction: see round()). A crash anywhere before the commit leaves
// the rows, and the next relay publishes them again (records are states, so a repeat is harmless). Woken by NOTIFY
// at every commit that queued rows, and by a poll in case one is missed.
import type { Logger } from 'pino';
import type { Db, Queryable } from '../../stores/postgres/db.ts';
import { DOSSIER_FACE_OUTBOX_TABLE, matchableFaces, matchableFacesById } from '../../stores/postgres/repositories/dossier-face-outbox.ts';
import type { OutboxTable } from '../../stores/postgres/repositories/outbox-table.ts';
import { dossierFaceChanges, dossierFaceRecord } from './dossier-face-record.ts';
import type { DossierFace } from '../../schemas/generated/avro-types.ts';
import type { ChangePublisher, KeyedChange } from './publisher.ts';

/** One outbox table and what its rows name, in the terms the relay needs. */
export interface Outbox<V> {
  /** what its rows name, for logs: e.g. `dossier faces` */
  readonly what: string;
  readonly table: OutboxTable;
  /** the current state of the subjects named by rows: an upsert or a tombstone for each */
  changes(tx: Queryable, subjects: readonly number[]): Promise<KeyedChange<V>[]>;
  /** every key held now, a page at a time after the `after` subject id; for snapshotAtStart */
  held?(q: Queryable, limit: number, after: number | undefined): Promise<{ readonly changes: KeyedChange<V>[]; readonly last?: number }>;
}

export interface RelayOptions<V> {
  readonly db: Db;
  readonly outbox: Outbox<V>;
  readonly publisher: Pick<ChangePublisher<V>, 'target' | 'publish'>;
  readonly logger: Pick<Logger, 'info' | 'warn' | 'debug'>;
  /** a round this often even without a notification (also the retry delay after a failed publish); default 1000 ms */
  readonly pollMs?: number;
  /** outbox rows per round; default 500 */
  readonly batch?: number;
  /**
   * First publish every key held (Outbox.held): for a publisher that keeps nothing across runs (in-process), which
   * starts empty while the database does not. Kafka's compacted topic keeps them, so it needs only the outbox.
   */
  readonly snapshotAtStart?: boolean;
}

export type OutboxRelayOptions = Omit<RelayOptions<DossierFace>, 'outbox'>;

export interface OutboxRelay {
  /** Runs rounds until the outbox is empty (or another relay holds the lock); rejects when a round fails. */
  flush(): Promise<void>;
  /** Stops listening and polling after the round in progress. Safe to call twice. */
  stop(): Promise<void>;
}

/** The dossier-face outbox (migration 002) → matchers. */
export const DOSSIER_FACE_OUTBOX: Outbox<DossierFace> = {
  what: 'dossier faces',
  table: DOSSIER_FACE_OUTBOX_TABLE,
  changes: async (tx, faceIds) => dossierFaceChanges(faceIds, await matchableFacesById(tx, faceIds)),
  async held(q, limit, after) {
    const faces = await matchableFaces(q, { limit, ...(after !== undefined ? { after_id: after } : {}) });
    return { changes: faces.map((f) => ({ key: String(f.id), value: dossierFaceRecord(f) })), ...(faces.length > 0 ? { last: faces[faces.length - 1]!.id } : {}) };
  },
};

/** The dossier-face outbox's relay (migration 002): enrolments reach every matcher. */
export function startOutboxRelay(opts: OutboxRelayOptions): Promise<OutboxRelay> {
  return startRelay({ ...opts, outbox: DOSSIER_FACE_OUTBOX });
}

export async function startRelay<V>(opts: RelayOptions<V>): Promise<OutboxRelay> {
  const { db, outbox, publisher, logger } = opts;
  const { table } = outbox;
  const batch = opts.batch ?? 500;
  const pollMs = opts.pollMs ?? 1000;
  let stopped = false;
  let unlisten: (() => Promise<void>) | undefined;
  /** the rounds running now; a wake-up while they run asks for one more pass */
  let running: Promise<void> | undefined;
  let again = false;

  /** The oldest rows and the current state of what they name, or nothing when the outbox is empty. */
  const collect = async (tx: Queryable) => {
    const rows = await table.pending(tx, batch);
    return rows.length === 0 ? undefined : { rows, changes: await outbox.changes(tx, [...new Set(rows.map((r) => r.subject))]) };
  };
  const published = async (q: Queryable, { rows, changes }: NonNullable<Awaited<ReturnType<typeof collect>>>): Promise<number> => {
    await table.delete(
      q,
      rows.map((r) => r.id),
    );
    logger.debug({ rows: rows.length, records: changes.length, tombstones: changes.filter((c) => c.value === null).length }, `${outbox.what} published`);
    return rows.length;
  };

  /** One round; resolves to the rows it published. */
  const round = async (): Promise<number> => {
    if (db.kind === 'pglite') {
      // PGlite is one connection: a transaction held while a broker is away (the publish retries for tens of
      // seconds) would stall every other query of the process. Only this process opens its data, so no second
      // relay can interleave: read, publish outside the transaction, delete the rows published.
      const batchRead = await db.transaction(collect);
      if (!batchRead) return 0;
      await publisher.publish(batchRead.changes);
      return published(db, batchRead);
    }
    return db.transaction(async (tx) => {
      if (!(await table.tryLock(tx))) return 0;
      const batchRead = await collect(tx);
      if (!batchRead) return 0;
      await publisher.publish(batchRead.changes);
      return published(tx, batchRead);
    });
  };

  const drain = async (): Promise<void> => {
    do {
      again = false;
      while (!stopped && (await round()) === batch);
    } while (again && !stopped);
  };

  const wake = (): Promise<void> => {
    if (running) {
      again = true;
      return running;
    }
    running = drain().finally(() => (running = undefined));
    return running;
  };

  const wakeLogged = (): void => {
    void wake().catch((err: unknown) => logger.warn({ err: (err as Error).message }, `${outbox.what} outbox: publishing to ${publisher.target} failed; the rows are kept and retried`));
  };

  const listen = async (): Promise<void> => {
    try {
      unlisten = await db.listen(table.channel, wakeLogged, (err) => {
        unlisten = undefined;
        logger.warn({ err: err.message }, `${outbox.what} outbox: LISTEN connection lost; polling until it is back`);
      });
    } catch (err) {
      logger.warn({ err: (err as Error).message }, `${outbox.what} outbox: LISTEN failed; polling`);
    }
  };

  if (opts.snapshotAtStart && outbox.held) {
    let published = 0;
    for (let after: number | undefined; ; ) {
      const page = await outbox.held(db, batch, after);
      await publisher.publish(page.changes);
      published += page.changes.length;
      if (page.changes.length < batch || page.last === undefined) break;
      after = page.last;
    }
    logger.info({ published }, `${outbox.what}: ${published} published to ${publisher.target} at start`);
  }
  await listen();
  const timer = setInterval(() => {
    if (!unlisten && !stopped) void listen();
    wakeLogged();
  }, pollMs);
  timer.unref();
  wakeLogged();

  let stopping: Promise<void> | undefined;
  return {
    async flush(): Promise<void> {
      await running?.catch(() => undefined);
      await wake();
    },
    stop(): Promise<void> {
      stopping ??= (async () => {
        stopped = true;
        clearInterval(timer);
        await unlisten?.();
        await running?.catch(() => undefined);
      })();
      return stopping;
    },
  };
}
