// Administration: users (add one with a role), roles (create one, edit its permissions and its rights on camera
// groups and watch lists), webhooks (create, edit, delete, their recent deliveries), runtime settings.
import { useState } from 'preact/hooks';
import { ACTIONS, ENTITIES, FUNCTIONAL_PERMISSIONS } from '../../../stores/postgres/rows.ts';
import { ApiError, call, type CameraGroup, type Delivery, type Me, type ObjectRights, type Page, type Role, type Settings, type User, type Webhook } from '../api.ts';
import { ActionForm, can, CreateByName, ErrorBox, parseJson, Section, time, useAction, useGet, useWatchLists } from '../ui.tsx';

export function Admin({ me }: { me: Me }) {
  const users = useGet<Page<User>>(can(me, 'view_user') ? '/users?limit=1000' : null);
  const roles = useGet<Page<Role>>(can(me, 'view_group') ? '/roles?limit=1000' : null);
  const roleName = (id: number) => roles.data?.results.find((r) => r.id === id)?.name ?? `role ${id}`;
  const [roleId, setRoleId] = useState<number | null>(null);
  const role = roles.data?.results.find((r) => r.id === roleId);
  const change = useAction();
  // another user's primary role and whether they may sign in (deactivated: their tokens stop working)
  const mayChange = (u: User) => can(me, 'change_user') && !u.superuser && u.id !== me.user.id && roles.data !== undefined;
  const patchUser = (u: User, patch: Partial<User>) =>
    change.run(async () => {
      await call('PATCH', `/users/${u.id}`, patch);
      users.reload();
    });
  return (
    <div class="columns">
      {can(me, 'view_user') && (
        <Section title="Administration: users">
          <ErrorBox error={users.error ?? change.error} />
          <table data-testid="users">
            <tbody>
              {users.data?.results.map((u) => (
                <tr key={u.id}>
                  <td>{u.name}</td>
                  <td>{u.real_name}</td>
                  <td>
                    {u.superuser ? (
                      'superuser'
                    ) : mayChange(u) ? (
                      <select value={u.primary_role_id} aria-label={`Role of ${u.name}`} disabled={change.busy} onChange={(e) => void patchUser(u, { primary_role_id: Number(e.currentTarget.value) })}>
                        {roles.data?.results.map((r) => (
                          <option key={r.id} value={r.id}>
                            {r.name}
                          </option>
                        ))}
                      </select>
                    ) : (
                      roleName(u.primary_role_id)
                    )}
                    {u.role_ids.length > 0 && ` + ${u.role_ids.map(roleName).join(', ')}`}
                  </td>
                  <td>
                    {mayChange(u) ? (
                      <button onClick={() => void patchUser(u, { active: !u.active })} disabled={change.busy}>
                        {u.active ? 'Deactivate' : 'Activate'}
                      </button>
                    ) : (
                      !u.active && 'inactive'
                    )}
                  </td>
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
          {can(me, 'add_group') && <CreateByName<Role> path="/roles" submit="Add role" label="New role name" placeholder="Role name" onDone={(r) => (roles.reload(), setRoleId(r.id))} />}
        </Section>
      )}
      {role && <RolePermissions key={`p${role.id}`} role={role} mayChange={can(me, 'change_group')} onDone={roles.reload} />}
      {role && <RoleRights key={role.id} role={role} mayChange={can(me, 'change_group')} />}
      {me.administrator && <Webhooks />}
      {can(me, 'view_runtimesetting') && <RuntimeSettings mayChange={can(me, 'change_runtimesetting')} />}
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

/** A role's permissions (FindFace's codenames `<action>_<entity>` and the functional rights) as a grid of switches. */
function RolePermissions({ role, mayChange, onDone }: { role: Role; mayChange: boolean; onDone: () => void }) {
  const [held, setHeld] = useState(() => new Set<string>(role.permissions));
  const [saved, setSaved] = useState(false);
  const box = (p: string) => (
    <input
      type="checkbox"
      checked={held.has(p)}
      disabled={!mayChange}
      aria-label={p}
      onChange={(e) => {
        const next = new Set(held);
        if (e.currentTarget.checked) next.add(p);
        else next.delete(p);
        setHeld(next);
        setSaved(false);
      }}
    />
  );
  return (
    <Section title={`Permissions of ${role.name}`}>
      <table data-testid="permissions">
        <thead>
          <tr>
            <th />
            {ACTIONS.map((a) => (
              <th key={a}>{a}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {ENTITIES.map((entity) => (
            <tr key={entity}>
              <td>{entity}</td>
              {ACTIONS.map((a) => (
                <td key={a}>{box(`${a}_${entity}`)}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      <p class="inline">
        {FUNCTIONAL_PERMISSIONS.map((p) => (
          <label key={p}>
            {box(p)} {p.replace(/_/g, ' ')}
          </label>
        ))}
      </p>
      {mayChange && (
        <ActionForm
          submit="Save permissions"
          run={async () => {
            await call('PATCH', `/roles/${role.id}`, { permissions: [...held] });
            setSaved(true);
            onDone();
          }}
        >
          {saved && <span class="muted">Saved.</span>}
        </ActionForm>
      )}
    </Section>
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

/** FindFace's webhooks (administrators): where events, episodes and counter records are POSTed; a server without them answers 404. */
function Webhooks() {
  const hooks = useGet<Page<Webhook>>('/webhooks?limit=1000');
  const [openId, setOpenId] = useState<number | null>(null);
  const open = hooks.data?.results.find((h) => h.id === openId);
  const missing = hooks.error instanceof ApiError && hooks.error.status === 404;
  return (
    <Section title="Webhooks">
      {missing ? <p class="muted">This server has no webhooks API.</p> : <ErrorBox error={hooks.error} />}
      {hooks.data?.results.length === 0 && <p class="muted">No webhooks.</p>}
      <table data-testid="webhooks">
        <tbody>
          {hooks.data?.results.map((h) => (
            <tr key={h.id} class={h.id === openId ? 'active' : ''} onClick={() => setOpenId(h.id)} style={{ cursor: 'pointer' }}>
              <td>{h.name}</td>
              <td class="muted url">{h.url}</td>
              <td>{h.active ? 'active' : 'inactive'}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {!missing && (
        <WebhookForm
          // by the webhook as listed: a new one's form is filled once the list has it
          key={open?.id ?? 'new'}
          hook={open}
          onDone={(id) => {
            setOpenId(id);
            hooks.reload();
          }}
        />
      )}
      {open && <Deliveries key={open.id} hook={open} />}
    </Section>
  );
}

/** A new webhook, or the chosen one to change or delete; filters as FindFace's JSON (docs/WEBHOOKS.md). */
function WebhookForm({ hook, onDone }: { hook: Webhook | undefined; onDone: (id: number | null) => void }) {
  const [name, setName] = useState(hook?.name ?? '');
  const [url, setUrl] = useState(hook?.url ?? '');
  const [active, setActive] = useState(hook?.active ?? true);
  const [filters, setFilters] = useState(JSON.stringify(hook?.filters ?? {}, null, 2));
  const [batch, setBatch] = useState(String(hook?.max_batch_size ?? 1));
  const [attempts, setAttempts] = useState(String(hook?.max_attempts ?? 10));
  const remove = useAction();
  return (
    <>
      <h3>{hook ? `Webhook ${hook.name}` : 'New webhook'}</h3>
      <ActionForm
        class="settings"
        submit={hook ? 'Save webhook' : 'Add webhook'}
        run={async () => {
          const body = { name, url, active, filters: parseJson(filters, 'the filters'), max_batch_size: Number(batch), max_attempts: Number(attempts) };
          const saved = await call<Webhook>(hook ? 'PATCH' : 'POST', hook ? `/webhooks/${hook.id}` : '/webhooks', body);
          onDone(saved.id);
        }}
      >
        <input placeholder="Name" aria-label="Webhook name" value={name} onInput={(e) => setName(e.currentTarget.value)} required />
        <input placeholder="https://…" aria-label="Webhook URL" value={url} onInput={(e) => setUrl(e.currentTarget.value)} required size={40} />
        <label>
          <input type="checkbox" checked={active} onChange={(e) => setActive(e.currentTarget.checked)} /> Active
        </label>
        <label>
          Max batch <input type="number" min={1} max={1000} aria-label="Max batch size" value={batch} onInput={(e) => setBatch(e.currentTarget.value)} style={{ width: '6em' }} />
        </label>
        <label>
          Max attempts <input type="number" min={1} max={100} aria-label="Max attempts" value={attempts} onInput={(e) => setAttempts(e.currentTarget.value)} style={{ width: '5em' }} />
        </label>
        <label class="wide">
          Filters ({'{}'}: everything; {'{"events": {"matched": true}}'}: matched events only)
          <textarea rows={4} value={filters} onInput={(e) => setFilters(e.currentTarget.value)} aria-label="Webhook filters" />
        </label>
      </ActionForm>
      {hook && (
        <p class="inline">
          <button onClick={() => void remove.run(async () => (await call('DELETE', `/webhooks/${hook.id}`), onDone(null)))} disabled={remove.busy}>
            Delete webhook
          </button>
          <button onClick={() => onDone(null)}>New webhook…</button>
          <ErrorBox error={remove.error} />
        </p>
      )}
    </>
  );
}

/** A webhook's recent delivery attempts (GET /webhooks/{id}/deliveries), newest first. */
function Deliveries({ hook }: { hook: Webhook }) {
  const deliveries = useGet<Page<Delivery>>(`/webhooks/${hook.id}/deliveries?limit=20`);
  return (
    <>
      <h3>
        Recent deliveries <button onClick={deliveries.reload}>Refresh</button>
      </h3>
      <ErrorBox error={deliveries.error} />
      {deliveries.data?.results.length === 0 && <p class="muted">Nothing sent yet.</p>}
      <table data-testid="deliveries">
        <tbody>
          {deliveries.data?.results.map((d) => (
            <tr key={`${d.batch}/${d.attempt}`} data-status={d.status}>
              <td>{time(d.created_date)}</td>
              <td>
                {d.count} {d.webhook_type}
              </td>
              <td>attempt {d.attempt}</td>
              <td>
                {d.status}
                {d.status_code ? ` (${d.status_code})` : ''}
              </td>
              <td class="muted">{d.error}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

/** FindFace's runtime settings (GET/PATCH /settings): in effect at once; empty sets one back to the configured default. */
function RuntimeSettings({ mayChange }: { mayChange: boolean }) {
  const settings = useGet<Settings>('/settings');
  return (
    <Section title="Settings">
      <ErrorBox error={settings.error} />
      {settings.data && <SettingsForm settings={settings.data} mayChange={mayChange} />}
      <p class="muted">The rest is the server's configuration file (docs/config.md), read at start.</p>
    </Section>
  );
}

/** The form shows what the server answered to each save: no reload that would remount it under the user's typing. */
function SettingsForm({ settings, mayChange }: { settings: Settings; mayChange: boolean }) {
  const [quality, setQuality] = useState(String(settings.minimum_dossier_quality));
  const [saved, setSaved] = useState(false);
  const save = async () => {
    const answer = await call<Settings>('PATCH', '/settings', { minimum_dossier_quality: quality === '' ? null : Number(quality) });
    setQuality(String(answer.minimum_dossier_quality));
    setSaved(true);
  };
  return (
    <ActionForm class="settings" submit={mayChange ? 'Save settings' : undefined} run={save}>
      <label>
        Minimum quality of a watch-list photo (-20 … 1; empty: the default){' '}
        <input type="number" step="any" aria-label="Minimum dossier quality" value={quality} disabled={!mayChange} onInput={(e) => (setQuality(e.currentTarget.value), setSaved(false))} style={{ width: '6em' }} />
      </label>{' '}
      {saved && <span class="muted">Saved.</span>}
    </ActionForm>
  );
}
