// Administration: users (add one with a role), roles and their permissions, webhooks when the server has them.
import { useState } from 'preact/hooks';
import { ApiError, call, type CameraGroup, type Me, type ObjectRights, type Page, type Role, type User } from '../api.ts';
import { ActionForm, can, ErrorBox, Section, time, useAction, useGet, useWatchLists } from '../ui.tsx';

export function Admin({ me }: { me: Me }) {
  const users = useGet<Page<User>>(can(me, 'view_user') ? '/users?limit=1000' : null);
  const roles = useGet<Page<Role>>(can(me, 'view_group') ? '/roles?limit=1000' : null);
  const roleName = (id: number) => roles.data?.results.find((r) => r.id === id)?.name ?? `role ${id}`;
  const [roleId, setRoleId] = useState<number | null>(null);
  const role = roles.data?.results.find((r) => r.id === roleId);
  return (
    <div class="columns">
      {can(me, 'view_user') && (
        <Section title="Administration: users">
          <ErrorBox error={users.error} />
          <table data-testid="users">
            <tbody>
              {users.data?.results.map((u) => (
                <tr key={u.id}>
                  <td>{u.name}</td>
                  <td>{u.real_name}</td>
                  <td>{u.superuser ? 'superuser' : [u.primary_role_id, ...u.role_ids].map(roleName).join(', ')}</td>
                  <td>{u.active ? '' : 'inactive'}</td>
                  <td class="muted">{u.last_login ? `last in ${time(u.last_login)}` : 'never signed in'}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {can(me, 'add_user') && <NewUser roles={roles.data?.results ?? []} onDone={users.reload} />}
        </Section>
      )}
      {can(me, 'view_group') && (
        <Section title="Roles">
          <ErrorBox error={roles.error} />
          <table>
            <tbody>
              {roles.data?.results.map((r) => (
                <tr key={r.id} class={r.id === roleId ? 'active' : ''} onClick={() => setRoleId(r.id)} style={{ cursor: 'pointer' }}>
                  <td>{r.name}</td>
                  <td class="muted">{r.comment}</td>
                  <td title={r.permissions.join(', ')}>{r.permissions.length} permissions</td>
                </tr>
              ))}
            </tbody>
          </table>
        </Section>
      )}
      {role && <RoleRights key={role.id} role={role} mayChange={can(me, 'change_group')} />}
      {me.administrator && <Webhooks />}
    </div>
  );
}

function NewUser({ roles, onDone }: { roles: readonly Role[]; onDone: () => void }) {
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [role, setRole] = useState('');
  return (
    <ActionForm
      class="settings"
      submit="Add user"
      run={async () => {
        await call('POST', '/users', { name, password, primary_role_id: Number(role) });
        setName('');
        setPassword('');
        onDone();
      }}
    >
      <input placeholder="Login" aria-label="New user login" value={name} onInput={(e) => setName(e.currentTarget.value)} required />
      <input placeholder="Password (8+)" aria-label="New user password" type="password" value={password} onInput={(e) => setPassword(e.currentTarget.value)} required minLength={8} />
      <select value={role} onChange={(e) => setRole(e.currentTarget.value)} aria-label="New user role" required>
        <option value="">Role…</option>
        {roles.map((r) => (
          <option key={r.id} value={r.id}>
            {r.name}
          </option>
        ))}
      </select>
    </ActionForm>
  );
}

type Access = 'none' | 'view' | 'change';

/** A role's rights on each camera group and watch list (FindFace's none / view / change), changed in place. */
function RoleRights({ role, mayChange }: { role: Role; mayChange: boolean }) {
  const rights = useGet<ObjectRights>(`/roles/${role.id}/objects`);
  const groups = useGet<Page<CameraGroup>>('/camera-groups?limit=1000');
  const lists = useWatchLists();
  const action = useAction();
  const set = (kind: 'camera-groups' | 'watch-lists', id: number, access: Access) =>
    action.run(async () => {
      await call('PUT', `/roles/${role.id}/${kind}/${id}`, { access });
      rights.reload();
    });
  const rows: [string, 'camera-groups' | 'watch-lists', { id: number; name: string }[], (id: number) => Access][] = [
    ['Camera groups', 'camera-groups', groups.data?.results ?? [], (id) => rights.data?.camera_groups.find((r) => r.camera_group_id === id)?.access ?? 'none'],
    ['Watch lists', 'watch-lists', lists.data?.results ?? [], (id) => rights.data?.watch_lists.find((r) => r.watch_list_id === id)?.access ?? 'none'],
  ];
  return (
    <Section title={`Rights of ${role.name}`}>
      <ErrorBox error={rights.error ?? groups.error ?? lists.error ?? action.error} />
      {role.name === 'admin' && <p class="muted">Administrators have every right on every object, whatever is set here.</p>}
      <table>
        {rows.map(([title, kind, objects, accessOf]) => (
          <tbody key={kind}>
            <tr>
              <th colSpan={2}>{title}</th>
            </tr>
            {objects.map((o) => (
              <tr key={o.id}>
                <td>{o.name}</td>
                <td>
                  <select value={accessOf(o.id)} disabled={!mayChange || action.busy} aria-label={`${role.name} on ${o.name}`} onChange={(e) => void set(kind, o.id, e.currentTarget.value as Access)}>
                    <option value="none">none</option>
                    <option value="view">view</option>
                    <option value="change">change</option>
                  </select>
                </td>
              </tr>
            ))}
          </tbody>
        ))}
      </table>
    </Section>
  );
}

interface Webhook {
  id: number;
  name?: string;
  url: string;
  active?: boolean;
}

/** Webhooks are a newer part of the API: a server without them answers 404, said plainly. */
function Webhooks() {
  const hooks = useGet<Page<Webhook>>('/webhooks?limit=1000');
  const missing = hooks.error instanceof ApiError && hooks.error.status === 404;
  return (
    <Section title="Webhooks">
      {missing ? <p class="muted">This server has no webhooks API.</p> : <ErrorBox error={hooks.error} />}
      {hooks.data?.results.length === 0 && <p class="muted">No webhooks.</p>}
      <ul>
        {hooks.data?.results.map((h) => (
          <li key={h.id}>
            {h.name ?? h.id}: {h.url} {h.active === false && '(inactive)'}
          </li>
        ))}
      </ul>
    </Section>
  );
}
