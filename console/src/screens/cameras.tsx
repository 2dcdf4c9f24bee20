// Cameras: by group, with a status colour (the API's camera health when the server reports one, else active or
// not), and adding one (URL, group).
import { useState } from 'preact/hooks';
import { call, type Camera, type CameraGroup, type Me, type Page } from '../api.ts';
import { ActionForm, can, ErrorBox, Section, useGet } from '../ui.tsx';

/** What a camera's status says, from health fields the API may add (`status`, `health.status`) or `active`. */
function status(c: Camera): { cls: string; text: string } {
  const extra = c as Camera & { status?: string; health?: { status?: string; message?: string } };
  const s = extra.health?.status ?? extra.status;
  if (!c.active) return { cls: '', text: 'inactive' };
  if (s === undefined) return { cls: 'ok', text: 'active' };
  const ok = /^(ok|green|running|streaming|live)$/i.test(s);
  const bad = /(fail|error|red|down|stopped|lost)/i.test(s);
  return { cls: ok ? 'ok' : bad ? 'bad' : 'warn', text: extra.health?.message ? `${s}: ${extra.health.message}` : s };
}

export function Cameras({ me }: { me: Me }) {
  const cameras = useGet<Page<Camera>>('/cameras?limit=1000');
  const groups = useGet<Page<CameraGroup>>(can(me, 'view_cameragroup') ? '/camera-groups?limit=1000' : null);
  const groupName = (id: number) => groups.data?.results.find((g) => g.id === id)?.name ?? `group ${id}`;
  return (
    <div class="columns">
      <Section title="Cameras" actions={<button onClick={cameras.reload}>Refresh</button>}>
        <ErrorBox error={cameras.error ?? groups.error} />
        {cameras.data?.results.length === 0 && <p class="muted">No cameras.</p>}
        <table data-testid="cameras">
          <tbody>
            {cameras.data?.results.map((c) => {
              const s = status(c);
              return (
                <tr key={c.id}>
                  <td>
                    <span class={`status ${s.cls}`} title={s.text} />
                  </td>
                  <td>{c.name}</td>
                  <td>{groupName(c.camera_group_id)}</td>
                  <td class="muted">{c.url}</td>
                  <td>{s.text}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </Section>
      {can(me, 'add_camera') && <NewCamera groups={groups.data?.results ?? []} onDone={cameras.reload} />}
    </div>
  );
}

function NewCamera({ groups, onDone }: { groups: readonly CameraGroup[]; onDone: () => void }) {
  const [name, setName] = useState('');
  const [url, setUrl] = useState('');
  const [group, setGroup] = useState('');
  return (
    <Section title="Add a camera">
      <ActionForm
        class="settings"
        submit="Add"
        run={async () => {
          await call('POST', '/cameras', { name, url, ...(group ? { camera_group_id: Number(group) } : {}) });
          setName('');
          setUrl('');
          onDone();
        }}
      >
        <input placeholder="Name" aria-label="Camera name" value={name} onInput={(e) => setName(e.currentTarget.value)} required />
        <input placeholder="rtsp://… or file://…" aria-label="Camera URL" value={url} onInput={(e) => setUrl(e.currentTarget.value)} required size={40} />
        <select value={group} onChange={(e) => setGroup(e.currentTarget.value)} aria-label="Camera group">
          <option value="">Default group</option>
          {groups.map((g) => (
            <option key={g.id} value={g.id}>
              {g.name}
            </option>
          ))}
        </select>
      </ActionForm>
    </Section>
  );
}
