// Administration: users (add one with a role), roles and their permissions, webhooks when the server has them.
import { useState } from 'preact/hooks';
import { ApiError, call, type Me, type Page, type Role, type User } from '../api.ts';
import { ActionForm, can, ErrorBox, Section, time, useGet } from '../ui.tsx';

export function Admin({ me }: { me: Me }) {
  const users = useGet<Page<User>>(can(me, 'view_user') ? '/users?limit=1000' : null);
  const roles = useGet<Page<Role>>(can(me, 'view_group') ? '/roles?limit=1000' : null);
  const roleName = (id: number) => roles.data?.results.find((r) => r.id === id)?.name ?? `role ${id}`;
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
                <tr key={r.id}>
                  <td>{r.name}</td>
                  <td class="muted">{r.comment}</td>
                  <td title={r.permissions.join(', ')}>{r.permissions.length} permissions</td>
                </tr>
              ))}
            </tbody>
          </table>
        </Section>
      )}
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
