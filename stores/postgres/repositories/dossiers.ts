// Dossiers: FindFace's /dossiers/, with the watch lists each is on. Deleting one deletes its faces.
import type { Queryable } from '../db.ts';
import type { Dossier, DossierPatch, NewDossier, Page } from '../rows.ts';
import { assignments, containsPattern, idSet, insertValues, pageParams } from '../sql.ts';
import type { ColumnKind } from '../sql.ts';

const COLUMNS: Readonly<Record<Exclude<keyof NewDossier, 'watch_list_ids'>, ColumnKind>> = {
  name: 'value',
  comment: 'value',
  meta: 'json',
  active: 'value',
  created_by: 'value',
};

const SELECT = `SELECT d.*,
  ARRAY(SELECT l.watch_list_id FROM dossier_watch_lists l WHERE l.dossier_id = d.id ORDER BY 1) AS watch_list_ids
  FROM dossiers d`;

async function setWatchLists(q: Queryable, id: number, lists: readonly number[]): Promise<void> {
  await q.query('DELETE FROM dossier_watch_lists WHERE dossier_id = $1', [id]);
  await q.query('INSERT INTO dossier_watch_lists (dossier_id, watch_list_id) SELECT $1, unnest($2::integer[])', [id, idSet(lists)]);
}

export function createDossier(q: Queryable, dossier: NewDossier): Promise<Dossier> {
  return q.transaction(async (tx) => {
    const ins = insertValues(dossier, COLUMNS);
    const { rows } = await tx.query<{ id: number }>(`INSERT INTO dossiers ${ins.sql} RETURNING id`, ins.params);
    const id = rows[0]!.id;
    if (dossier.watch_list_ids) await setWatchLists(tx, id, dossier.watch_list_ids);
    return (await getDossier(tx, id))!;
  });
}

export async function getDossier(q: Queryable, id: number): Promise<Dossier | undefined> {
  const { rows } = await q.query<Dossier>(`${SELECT} WHERE d.id = $1`, [id]);
  return rows[0];
}

/**
 * SQL: the dossier `dossierId` is on one of the lists in the integer[] parameter `param`, or on no list at all (a
 * dossier on no list is guarded by the dossier permissions only). Both arguments are fixed text from this module.
 */
export const ON_VISIBLE_LISTS = (dossierId: string, param: string): string =>
  `(EXISTS (SELECT 1 FROM dossier_watch_lists v WHERE v.dossier_id = ${dossierId} AND v.watch_list_id = ANY(${param}))
    OR NOT EXISTS (SELECT 1 FROM dossier_watch_lists v WHERE v.dossier_id = ${dossierId}))`;

export interface DossierFilter extends Page {
  /** Case-insensitive substring of the name (FindFace's name_contains). */
  readonly name_contains?: string;
  /** Dossiers on this watch list. */
  readonly watch_list_id?: number;
  readonly active?: boolean;
  /** With at least one face (true) or none (false). */
  readonly has_faces?: boolean;
  /** Only dossiers on at least one of these lists, or on none (what a user with rights on these lists may see). */
  readonly visible_watch_list_ids?: readonly number[];
}

export async function listDossiers(q: Queryable, filter: DossierFilter = {}): Promise<Dossier[]> {
  const [after, limit] = pageParams(filter);
  const { rows } = await q.query<Dossier>(
    `${SELECT}
     WHERE d.id > $1
       AND ($3::text IS NULL OR d.name ILIKE $3)
       AND ($4::integer IS NULL OR EXISTS (SELECT 1 FROM dossier_watch_lists l WHERE l.dossier_id = d.id AND l.watch_list_id = $4))
       AND ($5::boolean IS NULL OR d.active = $5)
       AND ($6::boolean IS NULL OR EXISTS (SELECT 1 FROM dossier_faces f WHERE f.dossier_id = d.id) = $6)
       AND ($7::integer[] IS NULL OR ${ON_VISIBLE_LISTS('d.id', '$7')})
     ORDER BY d.id LIMIT $2`,
    [
      after,
      limit,
      filter.name_contains !== undefined ? containsPattern(filter.name_contains) : null,
      filter.watch_list_id ?? null,
      filter.active ?? null,
      filter.has_faces ?? null,
      filter.visible_watch_list_ids ? [...filter.visible_watch_list_ids] : null,
    ],
  );
  return rows;
}

/** The ids of every dossier on at least one of these lists (what a reader with rights on them may count). */
export async function dossierIdsOnLists(q: Queryable, listIds: readonly number[]): Promise<number[]> {
  const { rows } = await q.query<{ id: number }>('SELECT DISTINCT dossier_id AS id FROM dossier_watch_lists WHERE watch_list_id = ANY($1::integer[]) ORDER BY 1', [[...listIds]]);
  return rows.map((r) => r.id);
}

/** `watch_list_ids`, when given, replaces the dossier's lists. */
export function updateDossier(q: Queryable, id: number, patch: DossierPatch): Promise<Dossier | undefined> {
  return q.transaction(async (tx) => {
    const set = assignments(patch, COLUMNS, 2);
    const found = await tx.query(`UPDATE dossiers SET ${set.sql || 'id = id'} WHERE id = $1`, [id, ...set.params]);
    if (found.rowCount === 0) return undefined;
    if (patch.watch_list_ids) await setWatchLists(tx, id, patch.watch_list_ids);
    return getDossier(tx, id);
  });
}

/** Deletes the dossier with its faces and list memberships. */
export async function deleteDossier(q: Queryable, id: number): Promise<boolean> {
  return (await q.query('DELETE FROM dossiers WHERE id = $1', [id])).rowCount > 0;
}

/**
 * Merges dossier `fromId` into `intoId`: its faces move (plain updates, so what watches dossier_faces sees them move)
 * and it is deleted, in one transaction. Resolves to the number of faces moved, or undefined when either is missing.
 */
export function mergeDossiers(q: Queryable, intoId: number, fromId: number): Promise<number | undefined> {
  return q.transaction(async (tx) => {
    const { rows } = await tx.query<{ id: number }>('SELECT id FROM dossiers WHERE id = ANY($1::integer[]) FOR UPDATE', [[intoId, fromId]]);
    if (rows.length !== 2) return undefined;
    const moved = await tx.query('UPDATE dossier_faces SET dossier_id = $1 WHERE dossier_id = $2', [intoId, fromId]);
    await tx.query('DELETE FROM dossiers WHERE id = $1', [fromId]);
    return moved.rowCount;
  });
}
