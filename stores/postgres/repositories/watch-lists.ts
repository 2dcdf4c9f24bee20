// Watch lists: FindFace's /dossier-lists/, with the camera groups each is monitored on (none = all) and the built-in
// unmatched list (id -1), which can be changed but not deleted.
import type { Queryable } from '../db.ts';
import type { NewWatchList, Page, WatchList, WatchListPatch } from '../rows.ts';
import { assignments, idSet, insertValues, pageParams } from '../sql.ts';
import type { ColumnKind } from '../sql.ts';

const COLUMNS: Readonly<Record<Exclude<keyof NewWatchList, 'camera_group_ids'>, ColumnKind>> = {
  name: 'value',
  comment: 'value',
  color: 'value',
  notify: 'value',
  acknowledge: 'value',
  confidence_threshold: 'value',
  active: 'value',
};

const SELECT = `SELECT w.*,
  ARRAY(SELECT l.camera_group_id FROM watch_list_camera_groups l WHERE l.watch_list_id = w.id ORDER BY 1) AS camera_group_ids
  FROM watch_lists w`;

async function setCameraGroups(q: Queryable, id: number, groups: readonly number[]): Promise<void> {
  await q.query('DELETE FROM watch_list_camera_groups WHERE watch_list_id = $1', [id]);
  await q.query('INSERT INTO watch_list_camera_groups (watch_list_id, camera_group_id) SELECT $1, unnest($2::integer[])', [id, idSet(groups)]);
}

export function createWatchList(q: Queryable, list: NewWatchList): Promise<WatchList> {
  return q.transaction(async (tx) => {
    const ins = insertValues(list, COLUMNS);
    const { rows } = await tx.query<{ id: number }>(`INSERT INTO watch_lists ${ins.sql} RETURNING id`, ins.params);
    const id = rows[0]!.id;
    if (list.camera_group_ids) await setCameraGroups(tx, id, list.camera_group_ids);
    return (await getWatchList(tx, id))!;
  });
}

export async function getWatchList(q: Queryable, id: number): Promise<WatchList | undefined> {
  const { rows } = await q.query<WatchList>(`${SELECT} WHERE w.id = $1`, [id]);
  return rows[0];
}

export interface WatchListFilter extends Page {
  readonly active?: boolean;
  /** Lists monitored on this camera group (including those on all groups). */
  readonly camera_group_id?: number;
  /** Only these lists (the ones a user may see); absent = all. */
  readonly ids?: readonly number[];
}

/** By id, so the unmatched list (-1) comes first. */
export async function listWatchLists(q: Queryable, filter: WatchListFilter = {}): Promise<WatchList[]> {
  const [after, limit] = pageParams(filter);
  const { rows } = await q.query<WatchList>(
    `${SELECT}
     WHERE w.id > $1 AND ($3::boolean IS NULL OR w.active = $3)
       AND ($4::integer IS NULL
            OR NOT EXISTS (SELECT 1 FROM watch_list_camera_groups l WHERE l.watch_list_id = w.id)
            OR EXISTS (SELECT 1 FROM watch_list_camera_groups l WHERE l.watch_list_id = w.id AND l.camera_group_id = $4))
       AND ($5::integer[] IS NULL OR w.id = ANY($5))
     ORDER BY w.id LIMIT $2`,
    [after, limit, filter.active ?? null, filter.camera_group_id ?? null, filter.ids ? [...filter.ids] : null],
  );
  return rows;
}

/** `camera_group_ids`, when given, replaces the list's groups. */
export function updateWatchList(q: Queryable, id: number, patch: WatchListPatch): Promise<WatchList | undefined> {
  return q.transaction(async (tx) => {
    const set = assignments(patch, COLUMNS, 2);
    // Always an UPDATE: it takes the row lock and touches modified_date even when only the groups change.
    const found = await tx.query(`UPDATE watch_lists SET ${set.sql || 'id = id'} WHERE id = $1`, [id, ...set.params]);
    if (found.rowCount === 0) return undefined;
    if (patch.camera_group_ids) await setCameraGroups(tx, id, patch.camera_group_ids);
    return getWatchList(tx, id);
  });
}

/** Removes the list from its dossiers (they stay). The unmatched list is refused (ConstraintError `restrict`). */
export async function deleteWatchList(q: Queryable, id: number): Promise<boolean> {
  return (await q.query('DELETE FROM watch_lists WHERE id = $1', [id])).rowCount > 0;
}

/** FindFace's purge: deletes every dossier on the list (with their faces); resolves to how many. */
export async function purgeWatchList(q: Queryable, id: number): Promise<number> {
  const { rowCount } = await q.query(
    'DELETE FROM dossiers WHERE id IN (SELECT dossier_id FROM dossier_watch_lists WHERE watch_list_id = $1)',
    [id],
  );
  return rowCount;
}
