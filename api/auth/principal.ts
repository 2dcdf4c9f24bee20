// Who is asking and what they may touch: the authenticated user with their rights (stores/postgres rights.ts), and
// the object-level decisions routes take from it (FindFace: per camera group and per watch list, none/view/change).
import type { Db, Queryable } from '../../stores/postgres/db.ts';
import type { User, ObjectAccess, Permission } from '../../stores/postgres/rows.ts';
import { UNMATCHED_WATCH_LIST_ID } from '../../stores/postgres/rows.ts';
import type { UserRights } from '../../stores/postgres/repositories/rights.ts';
import type { EventVisibility } from '../../stores/clickhouse/events-query.ts';
import { ApiError, notFound } from '../errors.ts';

export interface Principal {
  readonly user: User;
  /** the token this request came with */
  readonly tokenId: number;
  readonly rights: UserRights;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** set by the authoriser for every authenticated /api/v1 request; null on public routes and before auth */
    principal: Principal | null;
  }
}

/** Administrators: superusers and holders of the built-in admin role (every object, every permission). */
export const isAdmin = (p: Principal): boolean => p.rights.all_objects;

export const hasPermission = (p: Principal, permission: Permission): boolean => isAdmin(p) || p.rights.permissions.includes(permission);

export type ObjectKind = 'camera group' | 'watch list';

export function accessTo(p: Principal, kind: ObjectKind, id: number): ObjectAccess | null {
  if (isAdmin(p)) return 'change';
  return (kind === 'camera group' ? p.rights.camera_groups : p.rights.watch_lists).get(id) ?? null;
}

/**
 * Refuses unless the user has `need` on the object: an object they cannot even see is 404 (its existence is not
 * told), one they see but may not change is 403.
 */
export function requireAccess(p: Principal, kind: ObjectKind, id: number, need: ObjectAccess): void {
  const has = accessTo(p, kind, id);
  if (has === null) throw notFound(kind, id);
  if (need === 'change' && has !== 'change') throw new ApiError('FS_ERR_FORBIDDEN', `no right to change ${kind} ${id}`);
}

/** The ids of the objects of `kind` the user sees; undefined = all (administrators). */
export function visibleIds(p: Principal, kind: ObjectKind): number[] | undefined {
  if (isAdmin(p)) return undefined;
  return [...(kind === 'camera group' ? p.rights.camera_groups : p.rights.watch_lists).keys()];
}

/** FindFace's event rule as a ClickHouse filter: the camera group, and a matched list or (unmatched) the Unmatched list. */
export function eventVisibility(p: Principal): EventVisibility | undefined {
  if (isAdmin(p)) return undefined;
  const lists = [...p.rights.watch_lists.keys()];
  return {
    cameraGroups: [...p.rights.camera_groups.keys()].map(String),
    watchLists: lists.filter((id) => id !== UNMATCHED_WATCH_LIST_ID).map(String),
    unmatched: lists.includes(UNMATCHED_WATCH_LIST_ID),
  };
}

/** The principal of a request that passed the authoriser (routes other than public ones). */
export function principalOf(request: { readonly principal: Principal | null }): Principal {
  if (!request.principal) throw new ApiError('FS_ERR_UNAUTHENTICATED', 'authentication required');
  return request.principal;
}

/**
 * A dossier is guarded by its watch lists: seen with view on any of them, changed with change on all of them (a
 * dossier on no list is guarded by the dossier permissions alone). 404 when unseen, 403 when seen but not changeable.
 */
export function requireDossierAccess(p: Principal, dossier: { readonly id: number; readonly watch_list_ids: readonly number[] }, need: ObjectAccess): void {
  const lists = dossier.watch_list_ids;
  if (isAdmin(p) || lists.length === 0) return;
  const levels = lists.map((id) => accessTo(p, 'watch list', id));
  if (levels.every((a) => a === null)) throw notFound('dossier', dossier.id);
  if (need === 'change' && !levels.every((a) => a === 'change')) throw new ApiError('FS_ERR_FORBIDDEN', `no right to change every watch list of dossier ${dossier.id}`);
}

/**
 * Creates a camera group or watch list and, when a non-administrator made it, gives their primary role `change` on
 * it (FindFace: what a role's member creates, that role's users share), in one transaction.
 */
export function createOwned<T extends { readonly id: number }>(
  db: Db,
  p: Principal,
  create: (q: Queryable) => Promise<T>,
  grant: (q: Queryable, roleId: number, objectId: number, access: ObjectAccess) => Promise<void>,
): Promise<T> {
  return db.transaction(async (tx) => {
    const created = await create(tx);
    if (!isAdmin(p)) await grant(tx, p.user.primary_role_id, created.id, 'change');
    return created;
  });
}
