// Cameras: by group, with FindFace's status colour (the API's camera health when the server runs the cameras, else
// active or not), and adding one (URL, group).
import { useState } from 'preact/hooks';
import { call, type Camera, type CameraGroup, type CameraStatistics, type Me, type Page } from '../api.ts';
import { BarChart, PALETTE } from '../chart.tsx';
import { ActionForm, can, ErrorBox, errorText, Section, time, useAction, useGet } from '../ui.tsx';

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
  const [openId, setOpenId] = useState<number | null>(null);
  const open = cameras.data?.results.find((c) => c.id === openId);
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
                <tr key={c.id} class={c.id === openId ? 'active' : ''} onClick={() => setOpenId(c.id)} style={{ cursor: 'pointer' }}>
                  <td>
                    <span class={`status ${s.colour}`} title={s.colour} />
                  </td>
                  <td>{c.name}</td>
                  <td>{groupName(c.camera_group_id)}</td>
                  <td class="muted url">{c.url}</td>
                  <td>{s.text}</td>
                  {can(me, 'change_camera') && (
                    <td>
                      <button onClick={(e) => (e.stopPropagation(), void setActive(c))} disabled={toggle.busy}>
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
      {open && <CameraDetail key={open.id} camera={open} groups={groups.data?.results ?? []} mayChange={can(me, 'change_camera')} onChanged={cameras.reload} />}
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

/** One camera: its health counters, processing fps over the last hour (GET /cameras/{id}/statistics), and its settings. */
function CameraDetail({ camera, groups, mayChange, onChanged }: { camera: Camera; groups: readonly CameraGroup[]; mayChange: boolean; onChanged: () => void }) {
  const stats = useGet<CameraStatistics>(`/cameras/${camera.id}/statistics`);
  const [name, setName] = useState(camera.name);
  const [url, setUrl] = useState(camera.url);
  const [group, setGroup] = useState(String(camera.camera_group_id));
  const [settings, setSettings] = useState(JSON.stringify(camera.stream_settings, null, 2));
  const h = camera.health;
  const samples = stats.data?.results ?? [];
  return (
    <Section title={`Camera ${camera.name}`}>
      {h && (
        <dl>
          <dt>Status</dt>
          <dd>
            <span class={`status ${h.status}`} /> {h.status}, {h.state} since {time(h.since)}
          </dd>
          <dt>Frames</dt>
          <dd>
            {h.frames_processed} processed at {h.processing_fps.toFixed(1)} fps, {h.frames_dropped} dropped, {h.frames_imotion_skipped} still
          </dd>
          <dt>Faces</dt>
          <dd>
            {h.faces_posted} posted, {h.faces_failed} failed
          </dd>
          <dt>Starts</dt>
          <dd>{h.job_starts}</dd>
          {h.last_error && (
            <>
              <dt>Last error</dt>
              <dd class="error">{h.last_error}</dd>
            </>
          )}
        </dl>
      )}
      <ErrorBox error={stats.error} />
      {samples.some((x) => x.processing_fps > 0) && <BarChart labels={samples.map((x) => x.ts)} series={[{ label: 'processing fps', colour: PALETTE[2]!, values: samples.map((x) => x.processing_fps) }]} unit="fps" />}
      {mayChange && (
        <ActionForm
          class="settings"
          submit="Save"
          run={async () => {
            let streamSettings: unknown;
            try {
              streamSettings = JSON.parse(settings);
            } catch (err) {
              throw new Error(`the stream settings are not JSON: ${errorText(err)}`);
            }
            await call('PATCH', `/cameras/${camera.id}`, { name, url, camera_group_id: Number(group), stream_settings: streamSettings });
            onChanged();
          }}
        >
          <input aria-label="Name" value={name} onInput={(e) => setName(e.currentTarget.value)} required />
          <input aria-label="URL" value={url} onInput={(e) => setUrl(e.currentTarget.value)} required size={40} />
          <select value={group} onChange={(e) => setGroup(e.currentTarget.value)} aria-label="Group">
            {groups.map((g) => (
              <option key={g.id} value={g.id}>
                {g.name}
              </option>
            ))}
          </select>
          <label class="wide">
            Stream settings (FindFace's names, docs/CAMERAS.md)
            <textarea rows={6} value={settings} onInput={(e) => setSettings(e.currentTarget.value)} aria-label="Stream settings" />
          </label>
        </ActionForm>
      )}
    </Section>
  );
}
