// Roles (FindFace's /groups/): the built-in admin, operator and viewer plus custom ones, each with permission
// codenames, and each role's object-level rights on camera groups and watch lists.
import type { Queryable } from '../db.ts';
import type { NewRole, ObjectAccess, ObjectPermissions, Page, Permission, Role, RolePatch } from '../rows.ts';
import { PERMISSIONS } from '../rows.ts';
import { assignments, insertValues, pageParams } from '../sql.ts';
import type { ColumnKind } from '../sql.ts';

const COLUMNS: Readonly<Record<keyof NewRole, ColumnKind>> = { name: 'value', comment: 'value', permissions: 'value' };

export class UnknownPermissionError extends Error {
  constructor(readonly permissions: readonly string[]) {
    super(`unknown permission ${permissions.map((p) => JSON.stringify(p)).join(', ')}`);
    this.name = 'UnknownPermissionError';
  }
}

function checked<T extends { readonly permissions?: readonly Permission[] }>(role: T): T {
  const unknown = (role.permissions ?? []).filter((p) => !PERMISSIONS.includes(p));
  if (unknown.length > 0) throw new UnknownPermissionError(unknown);
  return role.permissions ? { ...role, permissions: [...new Set(role.permissions)].sort() } : role;
}

export async function createRole(q: Queryable, role: NewRole): Promise<Role> {
  const ins = insertValues(checked(role), COLUMNS);
  const { rows } = await q.query<Role>(`INSERT INTO roles ${ins.sql} RETURNING *`, ins.params);
  return rows[0]!;
}

export async function getRole(q: Queryable, id: number): Promise<Role | undefined> {
  const { rows } = await q.query<Role>('SELECT * FROM roles WHERE id = $1', [id]);
  return rows[0];
}

export async function getRoleByName(q: Queryable, name: string): Promise<Role | undefined> {
  const { rows } = await q.query<Role>('SELECT * FROM roles WHERE name = $1', [name]);
  return rows[0];
}

export async function listRoles(q: Queryable, page: Page = {}): Promise<Role[]> {
  const [after, limit] = pageParams(page);
  const { rows } = await q.query<Role>('SELECT * FROM roles WHERE id > $1 ORDER BY id LIMIT $2', [after, limit]);
  return rows;
}

/** Built-in roles can be changed (not deleted). */
export async function updateRole(q: Queryable, id: number, patch: RolePatch): Promise<Role | undefined> {
  const set = assignments(checked(patch), COLUMNS, 2);
  if (set.sql === '') return getRole(q, id);
  const { rows } = await q.query<Role>(`UPDATE roles SET ${set.sql} WHERE id = $1 RETURNING *`, [id, ...set.params]);
  return rows[0];
}

/**
 * Deletes a custom role with its object rights; it is taken from users who had it as an additional role. Refused for a
 * built-in role (`restrict`) and for the primary role of a user (`foreign_key`).
 */
export async function deleteRole(q: Queryable, id: number): Promise<boolean> {
  return (await q.query('DELETE FROM roles WHERE id = $1', [id])).rowCount > 0;
}

/** The per-object rights tables and their object column (fixed names: the only text written into the SQL below). */
const OBJECT_RIGHTS = {
  cameraGroup: { table: 'camera_group_permissions', column: 'camera_group_id' },
  watchList: { table: 'watch_list_permissions', column: 'watch_list_id' },
} as const;

/** Gives the role `access` to the object, or takes its right away (null). */
async function setObjectAccess(q: Queryable, kind: keyof typeof OBJECT_RIGHTS, roleId: number, objectId: number, access: ObjectAccess | null): Promise<void> {
  const { table, column } = OBJECT_RIGHTS[kind];
  if (access === null) {
    await q.query(`DELETE FROM ${table} WHERE role_id = $1 AND ${column} = $2`, [roleId, objectId]);
    return;
  }
  await q.query(
    `INSERT INTO ${table} (role_id, ${column}, access) VALUES ($1, $2, $3)
     ON CONFLICT (role_id, ${column}) DO UPDATE SET access = EXCLUDED.access`,
    [roleId, objectId, access],
  );
}

/** Gives the role `access` to the camera group, or takes its right away (null). */
export function setCameraGroupAccess(q: Queryable, roleId: number, cameraGroupId: number, access: ObjectAccess | null): Promise<void> {
  return setObjectAccess(q, 'cameraGroup', roleId, cameraGroupId, access);
}

/** Gives the role `access` to the watch list, or takes its right away (null). */
export function setWatchListAccess(q: Queryable, roleId: number, watchListId: number, access: ObjectAccess | null): Promise<void> {
  return setObjectAccess(q, 'watchList', roleId, watchListId, access);
}

/** The role's rights on camera groups and watch lists, by id. */
export async function getObjectPermissions(q: Queryable, roleId: number): Promise<ObjectPermissions> {
  const groups = await q.query<{ camera_group_id: number; access: ObjectAccess }>(
    'SELECT camera_group_id, access FROM camera_group_permissions WHERE role_id = $1 ORDER BY camera_group_id',
    [roleId],
  );
  const lists = await q.query<{ watch_list_id: number; access: ObjectAccess }>(
    'SELECT watch_list_id, access FROM watch_list_permissions WHERE role_id = $1 ORDER BY watch_list_id',
    [roleId],
  );
  return { camera_groups: groups.rows, watch_lists: lists.rows };
}
