// A hand-drawn SVG chart (no chart library: a few hundred bytes instead of tens of kilobytes).

interface Series {
  readonly label: string;
  readonly colour: string;
  readonly values: readonly number[];
}

export const PALETTE = ['#1f6feb', '#98a2b3', '#12b76a', '#f79009', '#7a5af8', '#d92d20', '#0ba5ec', '#ee46bc'];

/** Stacked bars per time bucket, one colour a series, with a legend. */
export function BarChart({ labels, series, unit }: { labels: readonly string[]; series: readonly Series[]; unit: string }) {
  const W = 800;
  const H = 200;
  const totals = labels.map((_, i) => series.reduce((s, x) => s + (x.values[i] ?? 0), 0));
  const max = Math.max(1e-9, ...totals);
  const w = W / Math.max(1, labels.length);
  const y = (n: number) => (n / max) * (H - 20);
  return (
    <>
      <svg class="chart" viewBox={`0 0 ${W} ${H + 16}`} role="img" aria-label={`${unit} per bucket`}>
        {labels.map((label, i) => {
          let top = H;
          return (
            <g key={label}>
              <title>{`${new Date(label).toLocaleString()}: ${series.map((x) => `${x.label} ${+(x.values[i] ?? 0).toFixed(2)}`).join(', ')}`}</title>
              {series.map((x) => {
                const h = y(x.values[i] ?? 0);
                top -= h;
                return <rect key={x.label} x={i * w + 1} y={top} width={Math.max(1, w - 2)} height={h} fill={x.colour} />;
              })}
            </g>
          );
        })}
        <text x="0" y="10">
          {+max.toFixed(2)} {unit}
        </text>
        <text x="0" y={H + 14}>
          {new Date(labels[0]!).toLocaleString()}
        </text>
        <text x={W} y={H + 14} text-anchor="end">
          {new Date(labels[labels.length - 1]!).toLocaleString()}
        </text>
      </svg>
      <p class="legend">
        {series.map((x) => (
          <span key={x.label}>
            <span class="swatch" style={{ background: x.colour }} /> {x.label}{' '}
          </span>
        ))}
      </p>
    </>
  );
}
