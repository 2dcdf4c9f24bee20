// Which cameras deduplicate their events, and in which group over which interval: PostgreSQL's camera groups with
// `deduplicate` on (FindFace's Deduplicate Events + deduplicate_delay), joined to their cameras. The episodes stage
// asks per event, so the answer is held in memory: read at start, re-read every `pollMs` (camera groups send no
// change notification; a group switched on or off applies within that). A failed re-read keeps the last answer.
import type { Logger } from 'pino';
import type { FacestreamConfig } from '../../config/schema.ts';
import type { Db, Queryable } from '../../stores/postgres/db.ts';
import { listDedupCameras, type DedupCamera } from '../../stores/postgres/repositories/camera-groups.ts';

export interface DedupGroup {
  /** the camera group id, as text */
  readonly group: string;
  readonly intervalMs: number;
}

export interface DedupGroups {
  /** the camera's group when it deduplicates, else null; by the pipeline's camera string (PostgreSQL id or name) */
  forCamera(camera: string): DedupGroup | null;
}

export interface FollowedDedupGroups extends DedupGroups {
  /** stops polling (and closes the database it opened); safe to call twice */
  close(): Promise<void>;
}

/** By camera id (as text) and by camera name; a name wins over another camera's id spelled the same. */
export function dedupGroupsByCamera(rows: readonly DedupCamera[]): ReadonlyMap<string, DedupGroup> {
  const byId = new Map<string, DedupGroup>();
  const names = new Map<string, DedupGroup>();
  for (const r of rows) {
    const group = { group: String(r.camera_group_id), intervalMs: r.deduplicate_delay * 1000 };
    byId.set(String(r.camera_id), group);
    names.set(r.camera_name, group);
  }
  return new Map([...byId, ...names]);
}

export function fixedDedupGroups(rows: readonly DedupCamera[]): DedupGroups {
  const byCamera = dedupGroupsByCamera(rows);
  return { forCamera: (camera) => byCamera.get(camera) ?? null };
}

/** Reads the groups (failing if PostgreSQL does not answer), then re-reads them every `pollMs` (0 = never). */
export async function followDedupGroups(db: Queryable, o: { readonly pollMs: number; readonly logger: Pick<Logger, 'warn'> }): Promise<FollowedDedupGroups> {
  let byCamera = dedupGroupsByCamera(await listDedupCameras(db));
  let reading: Promise<void> | undefined;
  const reread = () => {
    reading ??= listDedupCameras(db)
      .then((rows) => void (byCamera = dedupGroupsByCamera(rows)))
      .catch((err: unknown) => o.logger.warn({ err: (err as Error).message }, 'dedup: re-reading the camera groups failed; keeping the last ones'))
      .finally(() => (reading = undefined));
  };
  const timer = o.pollMs > 0 ? setInterval(reread, o.pollMs) : undefined;
  timer?.unref();
  return {
    forCamera: (camera) => byCamera.get(camera) ?? null,
    close: async () => {
      clearInterval(timer);
      await reading;
    },
  };
}

/**
 * What a process running the episodes stage opens: `serve` hands over its Db; a Kafka stage process opens the server
 * of DATABASE_URL; with neither, no group deduplicates (said once).
 */
export async function openDedupGroups(o: { readonly config: Readonly<FacestreamConfig>; readonly logger: Logger; readonly db?: Db }): Promise<FollowedDedupGroups> {
  const pollMs = o.config.episodes.dedup_refresh_interval_ms;
  if (o.db) return followDedupGroups(o.db, { pollMs, logger: o.logger });
  const url = o.config.stores.postgres.url.trim();
  if (url === '') {
    o.logger.warn('dedup: no PostgreSQL server (DATABASE_URL), so no camera group deduplicates its events');
    return { forCamera: () => null, close: async () => undefined };
  }
  const { openDatabase } = await import('../../stores/postgres/open.ts'); // pg loads only when needed
  const { db } = await openDatabase({ url, maxConnections: 1 });
  try {
    const groups = await followDedupGroups(db, { pollMs, logger: o.logger });
    return { forCamera: groups.forCamera, close: async () => (await groups.close(), await db.close()) };
  } catch (err) {
    await db.close();
    throw err;
  }
}
