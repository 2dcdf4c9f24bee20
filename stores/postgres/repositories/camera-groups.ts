// Camera groups: FindFace's /camera-groups/.
import type { Queryable } from '../db.ts';
import type { CameraGroup, CameraGroupPatch, NewCameraGroup, Page } from '../rows.ts';
import { assignments, insertValues, pageParams } from '../sql.ts';
import type { ColumnKind } from '../sql.ts';

const COLUMNS: Readonly<Record<keyof NewCameraGroup, ColumnKind>> = {
  name: 'value',
  comment: 'value',
  active: 'value',
  labels: 'json',
  deduplicate: 'value',
  deduplicate_delay: 'value',
  confidence_threshold: 'value',
};

export async function createCameraGroup(q: Queryable, group: NewCameraGroup): Promise<CameraGroup> {
  const ins = insertValues(group, COLUMNS);
  const { rows } = await q.query<CameraGroup>(`INSERT INTO camera_groups ${ins.sql} RETURNING *`, ins.params);
  return rows[0]!;
}

export async function getCameraGroup(q: Queryable, id: number): Promise<CameraGroup | undefined> {
  const { rows } = await q.query<CameraGroup>('SELECT * FROM camera_groups WHERE id = $1', [id]);
  return rows[0];
}

export interface CameraGroupFilter extends Page {
  readonly active?: boolean;
  /** Only these groups (the ones a user may see); absent = all. */
  readonly ids?: readonly number[];
}

export async function listCameraGroups(q: Queryable, filter: CameraGroupFilter = {}): Promise<CameraGroup[]> {
  const [after, limit] = pageParams(filter);
  const { rows } = await q.query<CameraGroup>(
    'SELECT * FROM camera_groups WHERE id > $1 AND ($3::boolean IS NULL OR active = $3) AND ($4::integer[] IS NULL OR id = ANY($4)) ORDER BY id LIMIT $2',
    [after, limit, filter.active ?? null, filter.ids ? [...filter.ids] : null],
  );
  return rows;
}

/** The changed group, or undefined if there is none with this id. */
export async function updateCameraGroup(q: Queryable, id: number, patch: CameraGroupPatch): Promise<CameraGroup | undefined> {
  const set = assignments(patch, COLUMNS, 2);
  if (set.sql === '') return getCameraGroup(q, id);
  const { rows } = await q.query<CameraGroup>(`UPDATE camera_groups SET ${set.sql} WHERE id = $1 RETURNING *`, [id, ...set.params]);
  return rows[0];
}

/** False if there was none. A group that still has cameras is refused (ConstraintError `foreign_key`). */
export async function deleteCameraGroup(q: Queryable, id: number): Promise<boolean> {
  return (await q.query('DELETE FROM camera_groups WHERE id = $1', [id])).rowCount > 0;
}

/** A camera of a group that deduplicates its events (FindFace's Deduplicate Events), with the group's interval. */
export interface DedupCamera {
  readonly camera_id: number;
  readonly camera_name: string;
  readonly camera_group_id: number;
  /** seconds */
  readonly deduplicate_delay: number;
}

export async function listDedupCameras(q: Queryable): Promise<DedupCamera[]> {
  const { rows } = await q.query<DedupCamera>(
    `SELECT c.id AS camera_id, c.name AS camera_name, g.id AS camera_group_id, g.deduplicate_delay
     FROM cameras c JOIN camera_groups g ON g.id = c.camera_group_id
     WHERE g.deduplicate ORDER BY c.id`,
  );
  return rows;
}
