// Cameras: by group, with FindFace's status colour (the API's camera health when the server runs the cameras, else
// active or not), and adding one (URL, group).
import { useRef, useState } from 'preact/hooks';
import { call, type Camera, type CameraGroup, type CameraStatistics, type Me, type Page } from '../api.ts';
import { BarChart, PALETTE } from '../chart.tsx';
import { useImage } from '../faces.tsx';
import { parseRegion, type Region } from '../../../pipelines/track/box.ts';
import { ActionForm, can, ErrorBox, errorText, parseJson, Section, time, useAction, useGet } from '../ui.tsx';

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
  // FindFace's restart: the source opened again (a failing camera retried now, a file read again)
  const restart = (c: Camera) =>
    toggle.run(async () => {
      await call('POST', `/cameras/${c.id}/restart`);
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
                      </button>{' '}
                      {c.active && (
                        <button onClick={(e) => (e.stopPropagation(), void restart(c))} disabled={toggle.busy}>
                          Restart
                        </button>
                      )}
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
            const streamSettings = parseJson(settings, 'the stream settings');
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
          <RegionEditor camera={camera} settings={settings} onChange={setSettings} />
          <label class="wide">
            Stream settings (FindFace's names, docs/CAMERAS.md)
            <textarea rows={6} value={settings} onInput={(e) => setSettings(e.currentTarget.value)} aria-label="Stream settings" />
          </label>
        </ActionForm>
      )}
    </Section>
  );
}

type Rect = Region;
type RegionKey = 'roi' | 'rot';
const REGION_COLOUR: Record<RegionKey, string> = { roi: '#ffd400', rot: '#22d3ee' };

/** A FindFace region `WxH+X+Y` (frame pixels) of the settings' JSON, or null ('' or absent: the whole frame). */
function regionOf(settings: string, key: RegionKey): Rect | null {
  try {
    const value = (JSON.parse(settings) as Record<string, unknown>)[key];
    return typeof value === 'string' ? parseRegion(value) : null;
  } catch {
    return null; // not JSON yet, or not a region: nothing to draw
  }
}

/**
 * The camera's latest kept frame (GET /cameras/{id}/screenshot.jpg) with its ROI and ROT drawn; dragging a rectangle
 * over it sets the chosen one in the stream settings' JSON (saved with the form, PATCH /cameras/{id}).
 */
function RegionEditor({ camera, settings, onChange }: { camera: Camera; settings: string; onChange: (json: string) => void }) {
  const [taken, setTaken] = useState(0);
  // ?taken= asks past the browser's short cache of the screenshot
  const shot = useImage(camera.screenshot ? `${camera.screenshot}${taken ? `?taken=${taken}` : ''}` : null);
  const [size, setSize] = useState<{ w: number; h: number } | null>(null);
  const [key, setKey] = useState<RegionKey>('roi');
  const [drag, setDrag] = useState<{ from: { x: number; y: number }; rect: Rect } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const svg = useRef<SVGSVGElement>(null);
  if (!camera.screenshot) return null;
  if (shot.failed) return <p class="muted">No screenshot: no frame of this camera is kept (the frame store keeps the frames of running cameras).</p>;
  /** The pointer in frame pixels. */
  const at = (e: PointerEvent) => {
    const r = svg.current!.getBoundingClientRect();
    const clamp = (v: number, max: number) => Math.round(Math.min(max, Math.max(0, v)));
    return { x: clamp(((e.clientX - r.left) / r.width) * size!.w, size!.w), y: clamp(((e.clientY - r.top) / r.height) * size!.h, size!.h) };
  };
  const span = (a: { x: number; y: number }, b: { x: number; y: number }): Rect => ({ x: Math.min(a.x, b.x), y: Math.min(a.y, b.y), width: Math.abs(a.x - b.x), height: Math.abs(a.y - b.y) });
  const set = (rect: Rect | null) => {
    let parsed: Record<string, unknown>;
    try {
      parsed = parseJson(settings, 'the stream settings') as Record<string, unknown>;
    } catch (err) {
      return setError(errorText(err));
    }
    setError(null);
    onChange(JSON.stringify({ ...parsed, [key]: rect ? `${rect.width}x${rect.height}+${rect.x}+${rect.y}` : '' }, null, 2));
  };
  const shown = (k: RegionKey) => (drag && k === key ? drag.rect : regionOf(settings, k));
  return (
    <div class="wide">
      <p class="inline">
        Draw on the latest frame:
        <select value={key} onChange={(e) => setKey(e.currentTarget.value as RegionKey)} aria-label="Region to draw">
          <option value="roi">ROI — faces posted only inside</option>
          <option value="rot">ROT — faces detected only inside</option>
        </select>
        <button type="button" onClick={() => set(null)}>
          Whole frame
        </button>
        <button type="button" onClick={() => setTaken(Date.now())}>
          New screenshot
        </button>
      </p>
      {shot.src && (
        <div class="shot">
          <img src={shot.src} alt={`latest frame of ${camera.name}`} data-testid="screenshot" onLoad={(e) => setSize({ w: e.currentTarget.naturalWidth, h: e.currentTarget.naturalHeight })} />
          {size && (
            <svg
              ref={svg}
              viewBox={`0 0 ${size.w} ${size.h}`}
              preserveAspectRatio="none"
              data-testid="region-canvas"
              onPointerDown={(e) => {
                e.currentTarget.setPointerCapture(e.pointerId);
                const from = at(e);
                setDrag({ from, rect: { ...from, width: 0, height: 0 } });
              }}
              onPointerMove={(e) => drag && setDrag({ ...drag, rect: span(drag.from, at(e)) })}
              onPointerUp={(e) => {
                if (!drag) return;
                const rect = span(drag.from, at(e));
                setDrag(null);
                // a click is not a region
                if (rect.width >= 2 && rect.height >= 2) set(rect);
              }}
            >
              {(['rot', 'roi'] as const).map((k) => {
                const r = shown(k);
                return r && <rect key={k} x={r.x} y={r.y} width={r.width} height={r.height} fill="none" stroke={REGION_COLOUR[k]} stroke-width={Math.max(2, size.w / 300)} stroke-dasharray={k === 'rot' ? '8 4' : undefined} />;
              })}
            </svg>
          )}
        </div>
      )}
      {error && <p class="error">{error}</p>}
    </div>
  );
}
