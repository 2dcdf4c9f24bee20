// Statistics: events per hour or day over a period, matched and unmatched, by camera, group, watch list or dossier
// (GET /statistics), as a hand-drawn SVG bar chart and the totals per value.
import { useMemo, useState } from 'preact/hooks';
import { query, type Counter, type CounterStatistics, type Me, type Statistics } from '../api.ts';
import { BarChart, PALETTE } from '../chart.tsx';
import { can, ErrorBox, Section, useGet } from '../ui.tsx';

const PERIODS = { '24 hours': { ms: 864e5, interval: 'hour' }, '7 days': { ms: 7 * 864e5, interval: 'day' }, '30 days': { ms: 30 * 864e5, interval: 'day' } } as const;
type Period = keyof typeof PERIODS;

export function Stats({ me }: { me: Me }) {
  // per camera and per dossier are for administrators (the statistics tables cannot be narrowed by object rights)
  const dims = me.administrator ? ['camera', 'camera_group', 'watch_list', 'dossier'] : ['camera_group', 'watch_list'];
  const [dim, setDim] = useState(dims[0]!);
  const [period, setPeriod] = useState<Period>('24 hours');
  // the period's start, fixed per choice so the request is not repeated on every render
  const from = useMemo(() => new Date(Date.now() - PERIODS[period].ms).toISOString(), [period]);
  const stats = useGet<Statistics>(`/statistics${query({ interval: PERIODS[period].interval, group_by: dim, created_date_gte: from })}`);
  const rows = stats.data?.results ?? [];
  const buckets = [...new Set(rows.map((r) => r.bucket))].sort();
  const sum = (key: 'matched' | 'unmatched') => buckets.map((b) => rows.reduce((s, r) => s + (r.bucket === b ? r[key] : 0), 0));
  const perValue = [...rows.reduce((m, r) => m.set(r.value, (m.get(r.value) ?? 0) + r.events), new Map<string, number>())].sort((a, b) => b[1] - a[1]);
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
      {can(me, 'view_camera') && <Counters from={from} interval={PERIODS[period].interval} period={period} />}
    </>
  );
}

/** People counters (GET /counters/{id}/statistics): the average faces counted per bucket, stacked by camera. */
function Counters({ from, interval, period }: { from: string; interval: string; period: Period }) {
  const counters = useGet<{ results: Counter[] }>('/counters?limit=1000');
  const [picked, setPicked] = useState<number | null>(null);
  const id = picked ?? counters.data?.results[0]?.id ?? null;
  const stats = useGet<CounterStatistics>(id === null ? null : `/counters/${id}/statistics${query({ interval, created_date_gte: from })}`);
  const rows = stats.data?.results ?? [];
  const buckets = [...new Set(rows.map((r) => r.bucket))].sort();
  const cameras = [...new Set(rows.map((r) => r.camera))].sort();
  const series = cameras.map((camera, i) => ({
    label: `camera ${camera}`,
    colour: PALETTE[i % PALETTE.length]!,
    values: buckets.map((b) => rows.find((r) => r.bucket === b && r.camera === camera)?.avg_faces ?? 0),
  }));
  return (
    <Section
      title="Counters"
      actions={
        counters.data && counters.data.results.length > 0 ? (
          <select value={id ?? ''} onChange={(e) => setPicked(Number(e.currentTarget.value))} aria-label="Counter">
            {counters.data.results.map((c) => (
              <option key={c.id} value={c.id}>
                {c.name}
              </option>
            ))}
          </select>
        ) : undefined
      }
    >
      <ErrorBox error={counters.error ?? stats.error} />
      {counters.data?.results.length === 0 && <p class="muted">No counters.</p>}
      {stats.data && (rows.length === 0 ? <p class="muted">Nothing counted in the last {period}.</p> : <BarChart labels={buckets} series={series} unit="faces on average" />)}
    </Section>
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
