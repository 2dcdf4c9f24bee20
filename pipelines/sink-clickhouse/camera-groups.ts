// The camera → camera group lookup the analytics sink writes into event rows (face_events.camera_group, the
// statistics' camera_group dimension), from PostgreSQL's cameras. An event names its camera by the string the
// pipeline uses; a PostgreSQL camera answers to its name and to its id. The group is written as the group's id
// (text). The table is held in memory and re-read periodically (cameras move between groups rarely), and at once
// for a camera it does not know; a failed re-read keeps the last table.
import type { Logger } from 'pino';
import type { Queryable } from '../../stores/postgres/db.ts';
import { listCameras } from '../../stores/postgres/repositories/cameras.ts';

export interface CameraGroupLookup {
  /** the camera's group id as text, or undefined when the camera is not in PostgreSQL (as of the last read) */
  groupOf(camera: string): string | undefined;
  /**
   * groupOf(), after reading the cameras again when this one is unknown — a camera added since the last read, whose
   * first events would otherwise be stored without a group, unseen by every reader who is not an administrator. A
   * camera that stays unknown (not in PostgreSQL: a file given to `up --source`) is looked for again only after
   * `refreshEveryMs`.
   */
  resolve(camera: string): Promise<string | undefined>;
  /** re-reads the cameras now */
  refresh(): Promise<void>;
  /** stops the periodic re-read */
  close(): void;
}

export interface CameraGroupLookupOptions {
  /** how often the cameras are re-read (ms), 30 s by default; 0 = never */
  readonly refreshEveryMs?: number;
  readonly logger?: Logger;
}

export async function readCameraGroups(db: Queryable): Promise<Map<string, string>> {
  const groups = new Map<string, string>();
  for (let after: number | undefined; ; ) {
    const page = await listCameras(db, { limit: 1000, ...(after !== undefined ? { after_id: after } : {}) });
    for (const c of page) {
      groups.set(String(c.id), String(c.camera_group_id));
      groups.set(c.name, String(c.camera_group_id)); // a name wins over another camera's id spelled the same
    }
    if (page.length < 1000) return groups;
    after = page[page.length - 1]!.id;
  }
}

/** Reads the cameras once (failing if PostgreSQL does not answer), then every `refreshEveryMs`. */
export async function cameraGroupLookup(db: Queryable, options: CameraGroupLookupOptions = {}): Promise<CameraGroupLookup> {
  let groups = await readCameraGroups(db);
  let reading: Promise<void> | undefined;
  // one read at a time: the events of a batch that name unknown cameras wait for the same read
  const refresh = () =>
    (reading ??= readCameraGroups(db)
      .then((read) => void (groups = read))
      .finally(() => (reading = undefined)));
  const every = options.refreshEveryMs ?? 30_000;
  /** when an unknown camera was last looked for */
  const sought = new Map<string, number>();
  const timer =
    every > 0
      ? setInterval(
          () => void refresh().catch((err: unknown) => options.logger?.warn({ err: (err as Error).message }, 'camera groups: re-reading the cameras failed; keeping the last table')),
          every,
        )
      : undefined;
  timer?.unref();
  return {
    groupOf: (camera) => groups.get(camera),
    async resolve(camera) {
      const known = groups.get(camera);
      if (known !== undefined) return known;
      const last = sought.get(camera);
      if (last !== undefined && Date.now() - last < every) return undefined;
      sought.set(camera, Date.now());
      await refresh().catch((err: unknown) => options.logger?.warn({ err: (err as Error).message, camera }, 'camera groups: reading the cameras for an unknown camera failed'));
      return groups.get(camera);
    },
    refresh,
    close: () => clearInterval(timer),
  };
}
