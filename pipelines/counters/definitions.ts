// Which counters count on a camera, from PostgreSQL's counters (stores/postgres/repositories/counters.ts). A
// counting stage asks per frame, so the definitions are held in memory: read at start, re-read when PostgreSQL
// says they changed (NOTIFY counters, see migrations/004_counters.sql) and every `poll_interval` in case a
// notification was missed (a dropped connection). A failed re-read keeps the last definitions.
import type { Logger } from 'pino';
import type { Db } from '../../stores/postgres/db.ts';
import { listCountingTargets, type CountingTarget } from '../../stores/postgres/repositories/counters.ts';
import { parseRegion } from '../track/box.ts';
import type { CounterCamera } from './count.ts';

export interface CounterDefinitions {
  /** the active face counters of a camera, named by the pipeline's camera string (its PostgreSQL id or name) */
  forCamera(camera: string): readonly CounterCamera[];
}

/** The counters by camera id (as text) and by camera name, as the pipeline may call a camera either. */
export function countersByCamera(targets: readonly CountingTarget[]): ReadonlyMap<string, readonly CounterCamera[]> {
  const byId = new Map<string, CounterCamera[]>();
  const names = new Map<string, string>();
  for (const t of targets) {
    const id = String(t.camera_id);
    names.set(t.camera_name, id);
    const list = byId.get(id) ?? [];
    list.push({
      counter: String(t.counter_id),
      counterName: t.counter_name,
      intervalMs: Math.round(t.interval * 1000),
      roi: parseRegion(t.roi),
      cameraGroup: String(t.camera_group_id),
    });
    byId.set(id, list);
  }
  const out = new Map<string, readonly CounterCamera[]>(byId);
  // a name wins over another camera's id spelled the same (as the analytics sink's camera groups)
  for (const [name, id] of names) out.set(name, byId.get(id)!);
  return out;
}

export function fixedCounterDefinitions(targets: readonly CountingTarget[]): CounterDefinitions {
  const byCamera = countersByCamera(targets);
  return { forCamera: (camera) => byCamera.get(camera) ?? [] };
}

export interface FollowedCounterDefinitions extends CounterDefinitions {
  /** re-reads now */
  refresh(): Promise<void>;
  /** stops listening and polling; safe to call twice */
  close(): Promise<void>;
}

export interface FollowOptions {
  /** re-read every this many ms whatever was notified; 0 = only on notifications */
  readonly pollMs: number;
  readonly logger: Logger;
}

/** Reads the definitions (failing if PostgreSQL does not answer), then follows their changes. */
export async function followCounterDefinitions(db: Db, options: FollowOptions): Promise<FollowedCounterDefinitions> {
  const { logger } = options;
  let byCamera = countersByCamera(await listCountingTargets(db));
  let reading: Promise<void> | undefined;
  let again = false;
  const refresh = (): Promise<void> => {
    // one read at a time; a change notified during a read is read once more after it
    if (reading) {
      again = true;
      return reading;
    }
    reading = (async () => {
      try {
        do {
          again = false;
          byCamera = countersByCamera(await listCountingTargets(db));
        } while (again);
      } finally {
        reading = undefined;
      }
    })();
    return reading;
  };
  const refreshLogged = () =>
    void refresh().then(
      () => logger.debug({ cameras: byCamera.size }, 'counters: definitions re-read'),
      (err: unknown) => logger.warn({ err: (err as Error).message }, 'counters: re-reading the definitions failed; keeping the last ones'),
    );
  const unlisten = await db.listen('counters', refreshLogged, (err) => logger.warn({ err: err.message }, 'counters: lost the PostgreSQL notifications; polling only'));
  const timer = options.pollMs > 0 ? setInterval(refreshLogged, options.pollMs) : undefined;
  timer?.unref();
  let closing: Promise<void> | undefined;
  return {
    forCamera: (camera) => byCamera.get(camera) ?? [],
    refresh,
    close: () =>
      (closing ??= (async () => {
        clearInterval(timer);
        await unlisten();
        await reading?.catch(() => undefined);
      })()),
  };
}
