// Counters: FindFace's people counters (migrations/004_counters.sql) — name, active, detect_faces, the interval
// between two screenshots, and the cameras counted on, each with its region of interest.
import type { Queryable } from '../db.ts';
import type { Page } from '../rows.ts';
import { assignments, insertValues, pageParams } from '../sql.ts';
import type { ColumnKind } from '../sql.ts';

/** One camera of a counter and the region counted on it ('' = the whole frame, else WxH+X+Y). */
export interface CounterCameraRow {
  readonly camera_id: number;
  readonly roi: string;
}

export interface Counter {
  readonly id: number;
  readonly name: string;
  readonly comment: string;
  readonly active: boolean;
  readonly detect_faces: boolean;
  /** seconds between two consecutive screenshots */
  readonly interval: number;
  readonly cameras: readonly CounterCameraRow[];
  readonly created_date: Date;
  readonly modified_date: Date;
}

export interface NewCounter {
  readonly name: string;
  readonly comment?: string;
  readonly active?: boolean;
  readonly detect_faces?: boolean;
  readonly interval?: number;
  readonly cameras?: readonly { readonly camera_id: number; readonly roi?: string }[];
}

/** `cameras`, when given, replaces the counter's cameras. */
export type CounterPatch = Partial<NewCounter>;

const COLUMNS: Readonly<Record<Exclude<keyof NewCounter, 'cameras'>, ColumnKind>> = {
  name: 'value',
  comment: 'value',
  active: 'value',
  detect_faces: 'value',
  interval: 'value',
};

const SELECT = `SELECT c.*,
  COALESCE((SELECT json_agg(json_build_object('camera_id', l.camera_id, 'roi', l.roi) ORDER BY l.camera_id)
            FROM counter_cameras l WHERE l.counter_id = c.id), '[]'::json) AS cameras
  FROM counters c`;

async function setCameras(q: Queryable, id: number, cameras: NonNullable<NewCounter['cameras']>): Promise<void> {
  await q.query('DELETE FROM counter_cameras WHERE counter_id = $1', [id]);
  const byCamera = new Map(cameras.map((c) => [c.camera_id, c.roi ?? ''])); // a camera named twice: the last wins
  await q.query('INSERT INTO counter_cameras (counter_id, camera_id, roi) SELECT $1, unnest($2::integer[]), unnest($3::text[])', [
    id,
    [...byCamera.keys()],
    [...byCamera.values()],
  ]);
}

export function createCounter(q: Queryable, counter: NewCounter): Promise<Counter> {
  return q.transaction(async (tx) => {
    const ins = insertValues(counter, COLUMNS);
    const { rows } = await tx.query<{ id: number }>(`INSERT INTO counters ${ins.sql} RETURNING id`, ins.params);
    const id = rows[0]!.id;
    if (counter.cameras) await setCameras(tx, id, counter.cameras);
    return (await getCounter(tx, id))!;
  });
}

export async function getCounter(q: Queryable, id: number): Promise<Counter | undefined> {
  const { rows } = await q.query<Counter>(`${SELECT} WHERE c.id = $1`, [id]);
  return rows[0];
}

export interface CounterFilter extends Page {
  readonly active?: boolean;
  /** counters counting on this camera */
  readonly camera_id?: number;
}

export async function listCounters(q: Queryable, filter: CounterFilter = {}): Promise<Counter[]> {
  const [after, limit] = pageParams(filter);
  const { rows } = await q.query<Counter>(
    `${SELECT}
     WHERE c.id > $1 AND ($3::boolean IS NULL OR c.active = $3)
       AND ($4::integer IS NULL OR EXISTS (SELECT 1 FROM counter_cameras l WHERE l.counter_id = c.id AND l.camera_id = $4))
     ORDER BY c.id LIMIT $2`,
    [after, limit, filter.active ?? null, filter.camera_id ?? null],
  );
  return rows;
}

export function updateCounter(q: Queryable, id: number, patch: CounterPatch): Promise<Counter | undefined> {
  return q.transaction(async (tx) => {
    const set = assignments(patch, COLUMNS, 2);
    // always an UPDATE: it takes the row lock and touches modified_date even when only the cameras change
    const found = await tx.query(`UPDATE counters SET ${set.sql || 'id = id'} WHERE id = $1`, [id, ...set.params]);
    if (found.rowCount === 0) return undefined;
    if (patch.cameras) await setCameras(tx, id, patch.cameras);
    return getCounter(tx, id);
  });
}

export async function deleteCounter(q: Queryable, id: number): Promise<boolean> {
  return (await q.query('DELETE FROM counters WHERE id = $1', [id])).rowCount > 0;
}

/** What a counting stage needs of an active counter's camera: the counter, and the camera's name and group. */
export interface CountingTarget {
  readonly counter_id: number;
  readonly counter_name: string;
  readonly interval: number;
  readonly camera_id: number;
  readonly camera_name: string;
  readonly camera_group_id: number;
  readonly roi: string;
}

/** Every camera of every active counter that detects faces (a few hundred rows at most: read whole). */
export async function listCountingTargets(q: Queryable): Promise<CountingTarget[]> {
  const { rows } = await q.query<CountingTarget>(
    `SELECT c.id AS counter_id, c.name AS counter_name, c.interval, m.id AS camera_id, m.name AS camera_name,
            m.camera_group_id, l.roi
     FROM counters c JOIN counter_cameras l ON l.counter_id = c.id JOIN cameras m ON m.id = l.camera_id
     WHERE c.active AND c.detect_faces
     ORDER BY c.id, m.id`,
  );
  return rows;
}
