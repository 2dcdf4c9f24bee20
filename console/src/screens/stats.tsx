// Statistics: events per hour or day over a period, matched and unmatched, by camera, group, watch list or dossier
// (GET /statistics), as a hand-drawn SVG bar chart and the totals per value; people counters over time, and setting
// one up (which cameras, how often) for users who may change cameras.
import { useMemo, useState } from 'preact/hooks';
import { call, query, type Camera, type CameraGroup, type Counter, type CounterStatistics, type Me, type Page, type Statistics } from '../api.ts';
import { BarChart, PALETTE } from '../chart.tsx';
import { ActionForm, can, ErrorBox, Section, useAction, useGet, useWatchLists } from '../ui.tsx';

const PERIODS = { '24 hours': { ms: 864e5, interval: 'hour' }, '7 days': { ms: 7 * 864e5, interval: 'day' }, '30 days': { ms: 30 * 864e5, interval: 'day' } } as const;
type Period = keyof typeof PERIODS;

type Namer = (dimension: string, value: string) => string;

/** Cameras, camera groups and watch lists by name where the user may read them (the statistics count by id). */
function useNames(me: Me): Namer {
  const cameras = useGet<Page<Camera>>(can(me, 'view_camera') ? '/cameras?limit=1000' : null);
  const groups = useGet<Page<CameraGroup>>(can(me, 'view_cameragroup') ? '/camera-groups?limit=1000' : null);
  const lists = useWatchLists();
  const named = (objects: Page<{ id: number; name: string }> | undefined, value: string) => objects?.results.find((o) => String(o.id) === value)?.name ?? value;
  return (dimension, value) =>
    dimension === 'camera' ? named(cameras.data, value) : dimension === 'camera_group' ? named(groups.data, value) : dimension === 'watch_list' ? (lists.byId.get(value)?.name ?? value) : value;
}

export function Stats({ me }: { me: Me }) {
  const name = useNames(me);
  // the API counts what the reader may see: their camera groups and lists, the cameras and dossiers in them
  const dims = ['camera', 'camera_group', 'watch_list', 'dossier'];
  const [dim, setDim] = useState(dims[0]!);
  const [period, setPeriod] = useState<Period>('24 hours');
  // the period's start, fixed per choice so the request is not repeated on every render
  const from = useMemo(() => new Date(Date.now() - PERIODS[period].ms).toISOString(), [period]);
  const stats = useGet<Statistics>(`/statistics${query({ interval: PERIODS[period].interval, group_by: dim, created_date_gte: from })}`);
  const rows = stats.data?.results ?? [];
  const buckets = [...new Set(rows.map((r) => r.bucket))].sort();
  const sum = (key: 'matched' | 'unmatched') => buckets.map((b) => rows.reduce((s, r) => s + (r.bucket === b ? r[key] : 0), 0));
  const perValue = [...rows.reduce((m, r) => m.set(name(dim, r.value), (m.get(name(dim, r.value)) ?? 0) + r.events), new Map<string, number>())].sort((a, b) => b[1] - a[1]);
  return (
    <>
      <Section
        title="Statistics"
        actions={
          <>
            <select value={period} onChange={(e) => setPeriod(e.currentTarget.value as Period)} aria-label="Period">
              {Object.keys(PERIODS).map((p) => (
                <option key={p}>{p}</option>
              ))}
            </select>
            <select value={dim} onChange={(e) => setDim(e.currentTarget.value)} aria-label="Per">
              {dims.map((d) => (
                <option key={d} value={d}>
                  per {d.replace('_', ' ')}
                </option>
              ))}
            </select>
          </>
        }
      >
        <ErrorBox error={stats.error} />
        {stats.data && (rows.length === 0 ? <p class="muted">No events in the last {period}.</p> : <BarChart labels={buckets} series={[{ label: 'matched', colour: PALETTE[0]!, values: sum('matched') }, { label: 'unmatched', colour: PALETTE[1]!, values: sum('unmatched') }]} unit="events" />)}
        {perValue.length > 0 && <BarList items={perValue} />}
      </Section>
      {can(me, 'view_camera') && <Counters from={from} interval={PERIODS[period].interval} period={period} mayChange={can(me, 'change_camera')} name={name} />}
    </>
  );
}

/** People counters (GET /counters/{id}/statistics): the average faces counted per bucket, stacked by camera. */
function Counters({ from, interval, period, mayChange, name }: { from: string; interval: string; period: Period; mayChange: boolean; name: Namer }) {
  const counters = useGet<{ results: Counter[] }>('/counters?limit=1000');
  const [picked, setPicked] = useState<number | null>(null);
  const [editing, setEditing] = useState<Counter | 'new' | null>(null);
  const id = picked ?? counters.data?.results[0]?.id ?? null;
  const counter = counters.data?.results.find((c) => c.id === id);
  const stats = useGet<CounterStatistics>(id === null ? null : `/counters/${id}/statistics${query({ interval, created_date_gte: from })}`);
  const rows = stats.data?.results ?? [];
  const buckets = [...new Set(rows.map((r) => r.bucket))].sort();
  const cameras = [...new Set(rows.map((r) => r.camera))].sort();
  const series = cameras.map((camera, i) => ({
    label: name('camera', camera),
    colour: PALETTE[i % PALETTE.length]!,
    values: buckets.map((b) => rows.find((r) => r.bucket === b && r.camera === camera)?.avg_faces ?? 0),
  }));
  return (
    <Section
      title="Counters"
      actions={
        <>
          {counters.data && counters.data.results.length > 0 && (
            <select value={id ?? ''} onChange={(e) => setPicked(Number(e.currentTarget.value))} aria-label="Counter">
              {counters.data.results.map((c) => (
                <option key={c.id} value={c.id}>
                  {c.name}
                </option>
              ))}
            </select>
          )}
          {mayChange && counter && <button onClick={() => setEditing(counter)}>Edit counter</button>}
          {mayChange && <button onClick={() => setEditing('new')}>New counter</button>}
        </>
      }
    >
      {editing && (
        <CounterForm
          key={editing === 'new' ? 'new' : editing.id}
          counter={editing === 'new' ? undefined : editing}
          onDone={(saved) => {
            setEditing(null);
            if (saved !== undefined) setPicked(saved);
            counters.reload();
          }}
        />
      )}
      <ErrorBox error={counters.error ?? stats.error} />
      {counters.data?.results.length === 0 && <p class="muted">No counters.</p>}
      {stats.data && (rows.length === 0 ? <p class="muted">Nothing counted in the last {period}.</p> : <BarChart labels={buckets} series={series} unit="faces on average" />)}
    </Section>
  );
}

/** A counter's name, how often its cameras are counted, and which cameras (FindFace's counter settings). */
function CounterForm({ counter, onDone }: { counter: Counter | undefined; onDone: (saved?: number | null) => void }) {
  const cameras = useGet<Page<Camera>>('/cameras?limit=1000');
  const [name, setName] = useState(counter?.name ?? '');
  const [every, setEvery] = useState(String(counter?.interval ?? 60));
  const [active, setActive] = useState(counter?.active ?? true);
  // each camera keeps its region when the counter is saved again
  const [chosen, setChosen] = useState(() => new Map((counter?.cameras ?? []).map((c) => [c.camera_id, c.roi])));
  const remove = useAction();
  return (
    <div class="upload" data-testid="counter-form">
      <ActionForm
        class="settings"
        submit={counter ? 'Save counter' : 'Add counter'}
        run={async () => {
          const body = { name, interval: Number(every), active, cameras: [...chosen].map(([camera_id, roi]) => ({ camera_id, roi })) };
          onDone((await call<Counter>(counter ? 'PATCH' : 'POST', counter ? `/counters/${counter.id}` : '/counters', body)).id);
        }}
      >
        <input placeholder="Counter name" aria-label="Counter name" value={name} onInput={(e) => setName(e.currentTarget.value)} required />
        <label>
          every <input type="number" min={1} max={86400} aria-label="Counting interval" value={every} onInput={(e) => setEvery(e.currentTarget.value)} style={{ width: '6em' }} /> s
        </label>
        <label>
          <input type="checkbox" checked={active} onChange={(e) => setActive(e.currentTarget.checked)} /> Active
        </label>
        <span class="wide">
          <ErrorBox error={cameras.error} />
          {cameras.data?.results.length === 0 && <span class="muted">No cameras to count on.</span>}
          {cameras.data?.results.map((c) => (
            <label key={c.id}>
              <input
                type="checkbox"
                checked={chosen.has(c.id)}
                onChange={(e) => {
                  const next = new Map(chosen);
                  if (e.currentTarget.checked) next.set(c.id, '');
                  else next.delete(c.id);
                  setChosen(next);
                }}
              />{' '}
              {c.name}
            </label>
          ))}
        </span>
      </ActionForm>
      <p class="inline">
        {counter && (
          <button onClick={() => void remove.run(async () => (await call('DELETE', `/counters/${counter.id}`), onDone(null)))} disabled={remove.busy}>
            Delete counter
          </button>
        )}
        <button onClick={() => onDone()}>Cancel</button>
        <ErrorBox error={remove.error} />
      </p>
    </div>
  );
}

/** Horizontal bars of the totals per value. */
function BarList({ items }: { items: readonly (readonly [string, number])[] }) {
  const max = Math.max(1, ...items.map(([, n]) => n));
  return (
    <table>
      <tbody>
        {items.map(([value, n]) => (
          <tr key={value}>
            <td>{value}</td>
            <td style={{ width: '70%' }}>
              <svg viewBox="0 0 100 6" preserveAspectRatio="none" style={{ width: '100%', height: '12px' }}>
                <rect width={(n / max) * 100} height="6" fill="#1f6feb" />
              </svg>
            </td>
            <td>{n}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
