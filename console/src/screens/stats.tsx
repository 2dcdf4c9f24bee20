// Statistics: events per hour or day over a period, matched and unmatched, by camera, group, watch list or dossier
// (GET /statistics), as a hand-drawn SVG bar chart and the totals per value.
import { useMemo, useState } from 'preact/hooks';
import { query, type Me, type Statistics } from '../api.ts';
import { ErrorBox, Section, useGet } from '../ui.tsx';

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
  const perBucket = buckets.map((b) => rows.filter((r) => r.bucket === b).reduce((s, r) => ({ matched: s.matched + r.matched, unmatched: s.unmatched + r.unmatched }), { matched: 0, unmatched: 0 }));
  const perValue = [...rows.reduce((m, r) => m.set(r.value, (m.get(r.value) ?? 0) + r.events), new Map<string, number>())].sort((a, b) => b[1] - a[1]);
  return (
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
      {stats.data && (rows.length === 0 ? <p class="muted">No events in the last {period}.</p> : <BarChart labels={buckets} bars={perBucket} />)}
      {perValue.length > 0 && <BarList items={perValue} />}
    </Section>
  );
}

/** Stacked bars (matched over unmatched) per time bucket. */
function BarChart({ labels, bars }: { labels: readonly string[]; bars: readonly { matched: number; unmatched: number }[] }) {
  const W = 800;
  const H = 200;
  const max = Math.max(1, ...bars.map((b) => b.matched + b.unmatched));
  const w = W / Math.max(1, bars.length);
  const y = (n: number) => (n / max) * (H - 20);
  return (
    <svg class="chart" viewBox={`0 0 ${W} ${H + 16}`} role="img" aria-label="events per bucket">
      {bars.map((b, i) => (
        <g key={labels[i]}>
          <title>{`${new Date(labels[i]!).toLocaleString()}: ${b.matched} matched, ${b.unmatched} unmatched`}</title>
          <rect x={i * w + 1} y={H - y(b.unmatched)} width={w - 2} height={y(b.unmatched)} fill="#98a2b3" />
          <rect x={i * w + 1} y={H - y(b.unmatched) - y(b.matched)} width={w - 2} height={y(b.matched)} fill="#1f6feb" />
        </g>
      ))}
      <text x="0" y="10">
        {max} events
      </text>
      <text x="0" y={H + 14}>
        {new Date(labels[0]!).toLocaleString()}
      </text>
      <text x={W} y={H + 14} text-anchor="end">
        {new Date(labels[labels.length - 1]!).toLocaleString()}
      </text>
    </svg>
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
