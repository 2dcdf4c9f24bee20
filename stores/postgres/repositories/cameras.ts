// Cameras: FindFace's /cameras/.
import type { Queryable } from '../db.ts';
import type { Camera, CameraPatch, NewCamera, Page } from '../rows.ts';
import { assignments, insertValues, pageParams } from '../sql.ts';
import type { ColumnKind } from '../sql.ts';

const COLUMNS: Readonly<Record<keyof NewCamera, ColumnKind>> = {
  name: 'value',
  camera_group_id: 'value',
  url: 'value',
  comment: 'value',
  active: 'value',
  confidence_threshold: 'value',
  stream_settings: 'json',
};

export interface CameraFilter extends Page {
  readonly camera_group_id?: number;
  readonly active?: boolean;
  /** Only cameras of these groups (the ones a user may see); absent = all. */
  readonly camera_group_ids?: readonly number[];
}

export async function createCamera(q: Queryable, camera: NewCamera): Promise<Camera> {
  const ins = insertValues(camera, COLUMNS);
  const { rows } = await q.query<Camera>(`INSERT INTO cameras ${ins.sql} RETURNING *`, ins.params);
  return rows[0]!;
}

export async function getCamera(q: Queryable, id: number): Promise<Camera | undefined> {
  const { rows } = await q.query<Camera>('SELECT * FROM cameras WHERE id = $1', [id]);
  return rows[0];
}

export async function listCameras(q: Queryable, filter: CameraFilter = {}): Promise<Camera[]> {
  const [after, limit] = pageParams(filter);
  const { rows } = await q.query<Camera>(
    `SELECT * FROM cameras
     WHERE id > $1 AND ($3::integer IS NULL OR camera_group_id = $3) AND ($4::boolean IS NULL OR active = $4)
       AND ($5::integer[] IS NULL OR camera_group_id = ANY($5))
     ORDER BY id LIMIT $2`,
    [after, limit, filter.camera_group_id ?? null, filter.active ?? null, filter.camera_group_ids ? [...filter.camera_group_ids] : null],
  );
  return rows;
}

/** The ids of every camera in these groups (what a reader with rights on them may count). */
export async function cameraIdsInGroups(q: Queryable, groupIds: readonly number[]): Promise<number[]> {
  const { rows } = await q.query<{ id: number }>('SELECT id FROM cameras WHERE camera_group_id = ANY($1::integer[]) ORDER BY id', [[...groupIds]]);
  return rows.map((r) => r.id);
}

/** A camera as the match rule sees it (pipelines/match/decide.ts CameraMatching). */
export interface CameraMatchThreshold {
  readonly id: number;
  readonly camera_group_id: number;
  /** the camera's own threshold, else its group's; null for neither (as camera-outbox.ts publishes it) */
  readonly confidence_threshold: number | null;
}

/** Every camera's group and match threshold (the table is small: one query for all). */
export async function cameraMatchThresholds(q: Queryable): Promise<CameraMatchThreshold[]> {
  const { rows } = await q.query<CameraMatchThreshold>(
    `SELECT c.id, c.camera_group_id, coalesce(c.confidence_threshold, g.confidence_threshold) AS confidence_threshold
     FROM cameras c JOIN camera_groups g ON g.id = c.camera_group_id ORDER BY c.id`,
  );
  return rows;
}

export async function updateCamera(q: Queryable, id: number, patch: CameraPatch): Promise<Camera | undefined> {
  const set = assignments(patch, COLUMNS, 2);
  if (set.sql === '') return getCamera(q, id);
  const { rows } = await q.query<Camera>(`UPDATE cameras SET ${set.sql} WHERE id = $1 RETURNING *`, [id, ...set.params]);
  return rows[0];
}

/** FindFace's restart: the camera's job changes (restarts + 1), so whatever runs it starts it again. */
export async function restartCamera(q: Queryable, id: number): Promise<Camera | undefined> {
  const { rows } = await q.query<Camera>('UPDATE cameras SET restarts = restarts + 1 WHERE id = $1 RETURNING *', [id]);
  return rows[0];
}

export async function deleteCamera(q: Queryable, id: number): Promise<boolean> {
  return (await q.query('DELETE FROM cameras WHERE id = $1', [id])).rowCount > 0;
}
