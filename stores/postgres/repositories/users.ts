// Users (FindFace's /users/): a login name, one primary role and any additional roles. The password hash goes in
// and is read back only by getLoginSecret(), for the auth module; User rows carry `has_password` instead.
import type { Queryable } from '../db.ts';
import type { NewUser, Page, User, UserPatch } from '../rows.ts';
import { assignments, idSet, insertValues, pageParams } from '../sql.ts';
import type { ColumnKind } from '../sql.ts';

const COLUMNS: Readonly<Record<Exclude<keyof NewUser, 'role_ids'>, ColumnKind>> = {
  name: 'value',
  real_name: 'value',
  comment: 'value',
  active: 'value',
  superuser: 'value',
  primary_role_id: 'value',
  password_hash: 'value',
};

const SELECT = `SELECT u.id, u.name, u.real_name, u.comment, u.active, u.superuser, u.primary_role_id,
  ARRAY(SELECT r.role_id FROM user_roles r WHERE r.user_id = u.id ORDER BY 1) AS role_ids,
  u.password_hash IS NOT NULL AS has_password, u.last_login, u.created_date, u.modified_date
  FROM users u`;

async function setRoles(q: Queryable, id: number, roles: readonly number[]): Promise<void> {
  await q.query('DELETE FROM user_roles WHERE user_id = $1', [id]);
  await q.query('INSERT INTO user_roles (user_id, role_id) SELECT $1, unnest($2::integer[])', [id, idSet(roles)]);
}

export function createUser(q: Queryable, user: NewUser): Promise<User> {
  return q.transaction(async (tx) => {
    const ins = insertValues(user, COLUMNS);
    const { rows } = await tx.query<{ id: number }>(`INSERT INTO users ${ins.sql} RETURNING id`, ins.params);
    const id = rows[0]!.id;
    if (user.role_ids) await setRoles(tx, id, user.role_ids);
    return (await getUser(tx, id))!;
  });
}

export async function getUser(q: Queryable, id: number): Promise<User | undefined> {
  const { rows } = await q.query<User>(`${SELECT} WHERE u.id = $1`, [id]);
  return rows[0];
}

export async function getUserByName(q: Queryable, name: string): Promise<User | undefined> {
  const { rows } = await q.query<User>(`${SELECT} WHERE u.name = $1`, [name]);
  return rows[0];
}

export interface UserFilter extends Page {
  readonly active?: boolean;
  /** Users with this role, primary or additional. */
  readonly role_id?: number;
}

export async function listUsers(q: Queryable, filter: UserFilter = {}): Promise<User[]> {
  const [after, limit] = pageParams(filter);
  const { rows } = await q.query<User>(
    `${SELECT}
     WHERE u.id > $1 AND ($3::boolean IS NULL OR u.active = $3)
       AND ($4::integer IS NULL OR u.primary_role_id = $4 OR EXISTS (SELECT 1 FROM user_roles r WHERE r.user_id = u.id AND r.role_id = $4))
     ORDER BY u.id LIMIT $2`,
    [after, limit, filter.active ?? null, filter.role_id ?? null],
  );
  return rows;
}

/** `role_ids`, when given, replaces the additional roles; `password_hash: null` removes password login. */
export function updateUser(q: Queryable, id: number, patch: UserPatch): Promise<User | undefined> {
  return q.transaction(async (tx) => {
    const set = assignments(patch, COLUMNS, 2);
    const found = await tx.query(`UPDATE users SET ${set.sql || 'id = id'} WHERE id = $1`, [id, ...set.params]);
    if (found.rowCount === 0) return undefined;
    if (patch.role_ids) await setRoles(tx, id, patch.role_ids);
    return getUser(tx, id);
  });
}

/** Deletes the user and their tokens; what they created stays, with created_by cleared. */
export async function deleteUser(q: Queryable, id: number): Promise<boolean> {
  return (await q.query('DELETE FROM users WHERE id = $1', [id])).rowCount > 0;
}

/** For password login only: the user's id, hash (null = no password login) and whether they may log in at all. */
export async function getLoginSecret(
  q: Queryable,
  name: string,
): Promise<{ readonly id: number; readonly password_hash: string | null; readonly active: boolean } | undefined> {
  const { rows } = await q.query<{ id: number; password_hash: string | null; active: boolean }>(
    'SELECT id, password_hash, active FROM users WHERE name = $1',
    [name],
  );
  return rows[0];
}

export async function recordLogin(q: Queryable, id: number, at: Date): Promise<void> {
  await q.query('UPDATE users SET last_login = $2 WHERE id = $1', [id, at]);
}
