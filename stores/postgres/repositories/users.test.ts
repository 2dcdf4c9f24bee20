import { expect, it } from 'vitest';
import { PERMISSIONS } from '../rows.ts';
import { describeEachBackend } from '../testing/backends.ts';
import { createCameraGroup, deleteCameraGroup } from './camera-groups.ts';
import { createDossier, getDossier } from './dossiers.ts';
import {
  UnknownPermissionError,
  createRole,
  deleteRole,
  getObjectPermissions,
  getRole,
  getRoleByName,
  listRoles,
  setCameraGroupAccess,
  setWatchListAccess,
  updateRole,
} from './roles.ts';
import { createToken, deleteExpiredTokens, deleteToken, deleteUserTokens, listTokens, tokenKeyHash, useToken } from './tokens.ts';
import { createUser, deleteUser, getLoginSecret, getUser, getUserByName, listUsers, recordLogin, updateUser } from './users.ts';
import { createWatchList } from './watch-lists.ts';

const T0 = new Date('2026-03-01T10:00:00Z');

describeEachBackend('roles, users and tokens', (ctx) => {
  it('has admin, operator and viewer built in, with FindFace rights, which cannot be deleted', async () => {
    const roles = await listRoles(ctx.db);
    expect(roles.filter((r) => r.builtin).map((r) => r.name)).toEqual(['admin', 'operator', 'viewer']);
    const admin = (await getRoleByName(ctx.db, 'admin'))!;
    expect([...admin.permissions].sort()).toEqual([...PERMISSIONS].sort());
    const operator = (await getRoleByName(ctx.db, 'operator'))!;
    expect(operator.permissions).toEqual(expect.arrayContaining(['add_dossier', 'change_listevent', 'view_camera']));
    expect(operator.permissions).not.toContain('batchupload_dossier');
    expect(operator.permissions).not.toContain('add_camera');
    const viewer = (await getRoleByName(ctx.db, 'viewer'))!;
    expect(viewer.permissions).toContain('change_listevent'); // acknowledges events
    expect(viewer.permissions).not.toContain('add_dossier');
    await expect(deleteRole(ctx.db, viewer.id)).rejects.toMatchObject({ kind: 'restrict' });
  });

  it('creates, changes and deletes a custom role; refuses unknown permissions and duplicate names', async () => {
    const role = await createRole(ctx.db, { name: 'night-shift', permissions: ['view_listevent', 'change_listevent', 'view_listevent'] });
    expect(role).toMatchObject({ name: 'night-shift', builtin: false, permissions: ['change_listevent', 'view_listevent'] });
    expect(await getRole(ctx.db, role.id)).toEqual(role);
    expect(await updateRole(ctx.db, role.id, { comment: 'after 22:00' })).toMatchObject({ comment: 'after 22:00', permissions: role.permissions });
    await expect(createRole(ctx.db, { name: 'bad', permissions: ['fly_plane' as never] })).rejects.toThrow(UnknownPermissionError);
    await expect(createRole(ctx.db, { name: 'night-shift' })).rejects.toMatchObject({ kind: 'unique' });
    expect(await deleteRole(ctx.db, role.id)).toBe(true);
    expect(await getRole(ctx.db, role.id)).toBeUndefined();
  });

  it('grants and takes rights on camera groups and watch lists; they go with the group, list or role', async () => {
    const role = await createRole(ctx.db, { name: 'guards' });
    const group = await createCameraGroup(ctx.db, { name: 'r-gate' });
    const list = await createWatchList(ctx.db, { name: 'r-wanted' });
    await setCameraGroupAccess(ctx.db, role.id, group.id, 'view');
    await setCameraGroupAccess(ctx.db, role.id, group.id, 'change'); // upsert
    await setWatchListAccess(ctx.db, role.id, list.id, 'view');
    await setWatchListAccess(ctx.db, role.id, -1, 'view');
    expect(await getObjectPermissions(ctx.db, role.id)).toEqual({
      camera_groups: [{ camera_group_id: group.id, access: 'change' }],
      watch_lists: [
        { watch_list_id: -1, access: 'view' },
        { watch_list_id: list.id, access: 'view' },
      ],
    });
    await setWatchListAccess(ctx.db, role.id, -1, null);
    await deleteCameraGroup(ctx.db, group.id);
    expect(await getObjectPermissions(ctx.db, role.id)).toEqual({ camera_groups: [], watch_lists: [{ watch_list_id: list.id, access: 'view' }] });
    await expect(setCameraGroupAccess(ctx.db, role.id, 987_654, 'view')).rejects.toMatchObject({ kind: 'foreign_key' });
    await expect(setCameraGroupAccess(ctx.db, role.id, list.id, 'own' as never)).rejects.toMatchObject({ kind: 'check' });
    expect(await deleteRole(ctx.db, role.id)).toBe(true);
    expect(await getObjectPermissions(ctx.db, role.id)).toEqual({ camera_groups: [], watch_lists: [] });
  });

  it('creates, finds, changes and deletes a user with a primary and additional roles; no hash in User rows', async () => {
    const operator = (await getRoleByName(ctx.db, 'operator'))!;
    const extra = await createRole(ctx.db, { name: 'u-extra' });
    const user = await createUser(ctx.db, { name: 'anna', real_name: 'Anna K', primary_role_id: operator.id, role_ids: [extra.id], password_hash: 'scrypt$abc' });
    expect(user).toMatchObject({ name: 'anna', real_name: 'Anna K', active: true, superuser: false, primary_role_id: operator.id, role_ids: [extra.id], has_password: true, last_login: null });
    expect(user).not.toHaveProperty('password_hash');
    expect(await getUser(ctx.db, user.id)).toEqual(user);
    expect(await getUserByName(ctx.db, 'anna')).toEqual(user);
    expect(await getLoginSecret(ctx.db, 'anna')).toEqual({ id: user.id, password_hash: 'scrypt$abc', active: true });
    expect(await getLoginSecret(ctx.db, 'nobody')).toBeUndefined();

    await recordLogin(ctx.db, user.id, T0);
    expect((await getUser(ctx.db, user.id))!.last_login).toEqual(T0);
    expect((await listUsers(ctx.db, { role_id: extra.id })).map((u) => u.name)).toEqual(['anna']);
    expect((await listUsers(ctx.db, { role_id: operator.id })).map((u) => u.name)).toContain('anna');

    const changed = await updateUser(ctx.db, user.id, { role_ids: [], password_hash: null, active: false });
    expect(changed).toMatchObject({ role_ids: [], has_password: false, active: false });
    await expect(createUser(ctx.db, { name: 'anna', primary_role_id: operator.id })).rejects.toMatchObject({ kind: 'unique' });
    await expect(createUser(ctx.db, { name: 'bad name!', primary_role_id: operator.id })).rejects.toMatchObject({ kind: 'check' });
    await expect(createUser(ctx.db, { name: 'ghost', primary_role_id: 987_654 })).rejects.toMatchObject({ kind: 'foreign_key' });
    await expect(createUser(ctx.db, { name: 'ghost2', primary_role_id: operator.id, role_ids: [987_654] })).rejects.toMatchObject({ kind: 'foreign_key' });
    expect(await getUserByName(ctx.db, 'ghost2')).toBeUndefined();

    // a role that is someone's primary role cannot go; an additional one can, and leaves the user
    const primary = await createRole(ctx.db, { name: 'u-primary' });
    const bob = await createUser(ctx.db, { name: 'bob', primary_role_id: primary.id, role_ids: [extra.id] });
    await expect(deleteRole(ctx.db, primary.id)).rejects.toMatchObject({ kind: 'foreign_key' });
    expect(await deleteRole(ctx.db, extra.id)).toBe(true);
    expect((await getUser(ctx.db, bob.id))!.role_ids).toEqual([]);

    // what a deleted user created stays
    const dossier = await createDossier(ctx.db, { name: 'made by bob', created_by: bob.id });
    expect(await deleteUser(ctx.db, bob.id)).toBe(true);
    expect(await getUser(ctx.db, bob.id)).toBeUndefined();
    expect((await getDossier(ctx.db, dossier.id))!.created_by).toBeNull();
  });

  it('makes tokens, finds them by key only, expires and deletes them with their user', async () => {
    const viewer = (await getRoleByName(ctx.db, 'viewer'))!;
    const user = await createUser(ctx.db, { name: 'tok-user', primary_role_id: viewer.id });
    const { token, key } = await createToken(ctx.db, { user_id: user.id, name: 'cli' });
    expect(key).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(token).toMatchObject({ user_id: user.id, name: 'cli', expires_date: null, last_used_date: null });
    const stored = await ctx.db.query<{ key_hash: string }>('SELECT key_hash FROM tokens WHERE id = $1', [token.id]);
    expect(stored.rows[0]!.key_hash).toBe(tokenKeyHash(key)); // only the hash is kept

    expect(await useToken(ctx.db, key, T0)).toMatchObject({ id: token.id, user_id: user.id, last_used_date: T0 });
    expect(await useToken(ctx.db, `${key}x`, T0)).toBeUndefined();

    const short = await createToken(ctx.db, { user_id: user.id, expires_date: new Date(T0.getTime() + 60_000) });
    expect(await useToken(ctx.db, short.key, T0)).toBeDefined();
    expect(await useToken(ctx.db, short.key, new Date(T0.getTime() + 60_000))).toBeUndefined();
    expect(await deleteExpiredTokens(ctx.db, new Date(T0.getTime() + 60_000))).toBe(1);

    await updateUser(ctx.db, user.id, { active: false });
    expect(await useToken(ctx.db, key, T0)).toBeUndefined(); // an inactive user's tokens open nothing
    await updateUser(ctx.db, user.id, { active: true });

    const other = await createToken(ctx.db, { user_id: user.id });
    expect((await listTokens(ctx.db, user.id)).map((t) => t.id)).toEqual([token.id, other.token.id]);
    expect(await deleteToken(ctx.db, other.token.id)).toBe(true);
    await createToken(ctx.db, { user_id: user.id });
    expect(await deleteUserTokens(ctx.db, user.id)).toBe(2);
    const last = await createToken(ctx.db, { user_id: user.id });
    await deleteUser(ctx.db, user.id);
    expect(await useToken(ctx.db, last.key, T0)).toBeUndefined();
    expect(await listTokens(ctx.db, user.id)).toEqual([]);
  });
});
