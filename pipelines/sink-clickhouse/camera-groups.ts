// The camera → camera group lookup the analytics sink writes into event rows (face_events.camera_group, the
// statistics' camera_group dimension), from PostgreSQL's cameras. An event names its camera by the string the
// pipeline uses; a PostgreSQL camera answers to its name and to its id. The group is written as the group's id
// (text). The writer asks synchronously per event, so the table is held in memory and re-read periodically
// (cameras move between groups rarely); a failed re-read keeps the last table.
import type { Logger } from 'pino';
import type { Queryable } from '../../stores/postgres/db.ts';
import { listCameras } from '../../stores/postgres/repositories/cameras.ts';

export interface CameraGroupLookup {
  /** the camera's group id as text, or undefined when the camera is not in PostgreSQL */
  groupOf(camera: string): string | undefined;
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
  const refresh = async () => {
    groups = await readCameraGroups(db);
  };
  const every = options.refreshEveryMs ?? 30_000;
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
    refresh,
    close: () => clearInterval(timer),
  };
}
