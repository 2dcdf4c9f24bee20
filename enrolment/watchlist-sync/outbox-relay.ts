// The outbox relay: the dossier_face_outbox rows that the identity store's triggers write (migration 002) become
// records of the `dossiers` topic or of in-process subscribers (docs/STORES.md "Outbox"). Each round, in one
// transaction: take the relay lock (a second relay on the same database waits its turn, so two never publish one
// face's states out of order), read the oldest rows, read those faces' current state, publish an upsert per face a
// matcher must hold and a tombstone per other face, and delete the rows only once the publish is acknowledged. A
// crash anywhere before the commit leaves the rows, and the next relay publishes them again (records are states,
// so a repeat is harmless). Woken by NOTIFY at every commit that queued rows, and by a poll in case one is missed.
import type { Logger } from 'pino';
import type { Db } from '../../stores/postgres/db.ts';
import {
  OUTBOX_CHANNEL,
  deleteOutbox,
  matchableFaces,
  matchableFacesById,
  pendingOutbox,
  tryRelayLock,
} from '../../stores/postgres/repositories/dossier-face-outbox.ts';
import { dossierFaceChanges, dossierFaceRecord } from './dossier-face-record.ts';
import type { DossierPublisher } from './publisher.ts';

export interface OutboxRelayOptions {
  readonly db: Db;
  readonly publisher: DossierPublisher;
  readonly logger: Pick<Logger, 'info' | 'warn' | 'debug'>;
  /** a round this often even without a notification (also the retry delay after a failed publish); default 1000 ms */
  readonly pollMs?: number;
  /** outbox rows per round; default 500 */
  readonly batch?: number;
  /**
   * First publish every face a matcher must hold: for a publisher that keeps nothing across runs (in-process), which
   * starts empty while the database does not. Kafka's compacted topic keeps them, so it needs only the outbox.
   */
  readonly snapshotAtStart?: boolean;
}

export interface OutboxRelay {
  /** Runs rounds until the outbox is empty (or another relay holds the lock); rejects when a round fails. */
  flush(): Promise<void>;
  /** Stops listening and polling after the round in progress. Safe to call twice. */
  stop(): Promise<void>;
}

export async function startOutboxRelay(opts: OutboxRelayOptions): Promise<OutboxRelay> {
  const { db, publisher, logger } = opts;
  const batch = opts.batch ?? 500;
  const pollMs = opts.pollMs ?? 1000;
  let stopped = false;
  let unlisten: (() => Promise<void>) | undefined;
  /** the rounds running now; a wake-up while they run asks for one more pass */
  let running: Promise<void> | undefined;
  let again = false;

  /** One round; resolves to the rows it published. */
  const round = (): Promise<number> =>
    db.transaction(async (tx) => {
      if (!(await tryRelayLock(tx))) return 0;
      const rows = await pendingOutbox(tx, batch);
      if (rows.length === 0) return 0;
      const faceIds = [...new Set(rows.map((r) => r.dossier_face_id))];
      const changes = dossierFaceChanges(faceIds, await matchableFacesById(tx, faceIds));
      await publisher.publish(changes);
      await deleteOutbox(
        tx,
        rows.map((r) => r.id),
      );
      logger.debug({ rows: rows.length, faces: changes.length, tombstones: changes.filter((c) => c.value === null).length }, 'dossier faces published');
      return rows.length;
    });

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
    void wake().catch((err: unknown) => logger.warn({ err: (err as Error).message }, `dossier outbox: publishing to ${publisher.target} failed; the rows are kept and retried`));
  };

  const listen = async (): Promise<void> => {
    try {
      unlisten = await db.listen(OUTBOX_CHANNEL, wakeLogged, (err) => {
        unlisten = undefined;
        logger.warn({ err: err.message }, 'dossier outbox: LISTEN connection lost; polling until it is back');
      });
    } catch (err) {
      logger.warn({ err: (err as Error).message }, 'dossier outbox: LISTEN failed; polling');
    }
  };

  if (opts.snapshotAtStart) {
    let published = 0;
    for (let after: number | undefined; ; ) {
      const faces = await matchableFaces(db, { limit: batch, ...(after !== undefined ? { after_id: after } : {}) });
      await publisher.publish(faces.map((f) => ({ key: String(f.id), value: dossierFaceRecord(f) })));
      published += faces.length;
      if (faces.length < batch) break;
      after = faces[faces.length - 1]!.id;
    }
    logger.info({ faces: published }, `dossier faces: ${published} published to ${publisher.target} at start`);
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
