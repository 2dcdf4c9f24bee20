// Cameras: by group, with FindFace's status colour (the API's camera health when the server runs the cameras, else
// active or not), and adding one (URL, group).
import { useState } from 'preact/hooks';
import { call, type Camera, type CameraGroup, type Me, type Page } from '../api.ts';
import { ActionForm, can, ErrorBox, Section, useAction, useGet } from '../ui.tsx';

/** The camera's health colour and what it says (the API reports health when its process runs the cameras). */
function status(c: Camera): { colour: string; text: string } {
  const h = c.health;
  if (!h) return { colour: c.active ? 'green' : 'grey', text: c.active ? 'active' : 'inactive' };
  const facts = [h.state, h.state === 'running' ? `${h.processing_fps.toFixed(1)} fps` : '', `${h.faces_posted} faces posted`, h.last_error ?? ''];
  return { colour: h.status, text: facts.filter(Boolean).join(', ') };
}

export function Cameras({ me }: { me: Me }) {
  const cameras = useGet<Page<Camera>>('/cameras?limit=1000');
  const groups = useGet<Page<CameraGroup>>(can(me, 'view_cameragroup') ? '/camera-groups?limit=1000' : null);
  const groupName = (id: number) => groups.data?.results.find((g) => g.id === id)?.name ?? `group ${id}`;
  const toggle = useAction();
  // FindFace's stop / start: an inactive camera is not read (the server stops it; active again restarts it)
  const setActive = (c: Camera) =>
    toggle.run(async () => {
      await call('PATCH', `/cameras/${c.id}`, { active: !c.active });
      cameras.reload();
    });
  return (
    <div class="columns">
      <Section title="Cameras" actions={<button onClick={cameras.reload}>Refresh</button>}>
        <ErrorBox error={cameras.error ?? groups.error ?? toggle.error} />
        {cameras.data?.results.length === 0 && <p class="muted">No cameras.</p>}
        <table data-testid="cameras">
          <tbody>
            {cameras.data?.results.map((c) => {
              const s = status(c);
              return (
                <tr key={c.id}>
                  <td>
                    <span class={`status ${s.colour}`} title={s.colour} />
                  </td>
                  <td>{c.name}</td>
                  <td>{groupName(c.camera_group_id)}</td>
                  <td class="muted">{c.url}</td>
                  <td>{s.text}</td>
                  {can(me, 'change_camera') && (
                    <td>
                      <button onClick={() => void setActive(c)} disabled={toggle.busy}>
                        {c.active ? 'Stop' : 'Start'}
                      </button>
                    </td>
                  )}
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
