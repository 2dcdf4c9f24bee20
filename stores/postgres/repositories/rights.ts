// What a user may do, in one read: the permission codenames of all their roles (primary + additional, which add
// up) and their object rights on camera groups and watch lists (the strongest over their roles). The API loads this
// once per request (api/auth/authorize.ts) and decides from it.
import type { Queryable } from '../db.ts';
import type { ObjectAccess, Permission } from '../rows.ts';

export interface UserRights {
  readonly permissions: readonly Permission[];
  /** A superuser, or a holder of the built-in admin role: every camera group and watch list, whatever the rows say. */
  readonly all_objects: boolean;
  readonly camera_groups: ReadonlyMap<number, ObjectAccess>;
  readonly watch_lists: ReadonlyMap<number, ObjectAccess>;
}

/** The user's role ids ($1 = user id), as a CTE both queries below use. */
const ROLES = `WITH r AS (SELECT primary_role_id AS role_id FROM users WHERE id = $1 UNION SELECT role_id FROM user_roles WHERE user_id = $1)`;

/** Rights of an existing user; undefined for an unknown id. */
export async function getUserRights(q: Queryable, userId: number): Promise<UserRights | undefined> {
  const head = await q.query<{ permissions: Permission[]; all_objects: boolean }>(
    `${ROLES}
     SELECT ARRAY(SELECT DISTINCT unnest(permissions) FROM roles WHERE id IN (SELECT role_id FROM r) ORDER BY 1) AS permissions,
            u.superuser OR EXISTS (SELECT 1 FROM roles WHERE builtin AND name = 'admin' AND id IN (SELECT role_id FROM r)) AS all_objects
     FROM users u WHERE u.id = $1`,
    [userId],
  );
  const row = head.rows[0];
  if (!row) return undefined;
  // 'change' beats 'view' when two roles give different rights on one object
  const objects = await q.query<{ kind: 'group' | 'list'; id: number; change: boolean }>(
    `${ROLES}
     SELECT 'group' AS kind, camera_group_id AS id, bool_or(access = 'change') AS change
       FROM camera_group_permissions WHERE role_id IN (SELECT role_id FROM r) GROUP BY camera_group_id
     UNION ALL
     SELECT 'list' AS kind, watch_list_id AS id, bool_or(access = 'change') AS change
       FROM watch_list_permissions WHERE role_id IN (SELECT role_id FROM r) GROUP BY watch_list_id`,
    [userId],
  );
  const groups = new Map<number, ObjectAccess>();
  const lists = new Map<number, ObjectAccess>();
  for (const o of objects.rows) (o.kind === 'group' ? groups : lists).set(o.id, o.change ? 'change' : 'view');
  return { permissions: row.permissions, all_objects: row.all_objects, camera_groups: groups, watch_lists: lists };
}

/** Whether any user exists (first start: `serve` creates an admin when none does). */
export async function anyUserExists(q: Queryable): Promise<boolean> {
  const { rows } = await q.query<{ found: boolean }>('SELECT EXISTS (SELECT 1 FROM users) AS found');
  return rows[0]?.found === true;
}
