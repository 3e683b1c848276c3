// Per-day earnings as stacked bars (participation below, usage on top) drawn with uPlot on a
// canvas, resized with its container. The same numbers are available as a table beside it for
// screen readers and keyboard users. Loaded lazily with the pages that use it.
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { formatAkt, type DailySeries } from '../view/money';

function cssVar(name: string, fallback: string): string {
  const v = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  return v || fallback;
}

export function EarningsChart({ series, label }: { series: DailySeries; label: string }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = box.current;
    if (!el || series.days.length === 0) return;
    const total = series.usage.map((u, i) => u + (series.participation[i] ?? 0));
    const bars = uPlot.paths.bars?.({ size: [0.7, 48], gap: 1 });
    const usageColour = cssVar('--accent', '#c2410c');
    const partColour = cssVar('--chart-participation', '#2563eb');
    const fg = cssVar('--muted', '#57534e');
    const grid = cssVar('--line', '#e7e5e4');
    const axis = { stroke: fg, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } };
    const opts: uPlot.Options = {
      width: el.clientWidth || 600,
      height: 220,
      padding: [12, 8, 0, 0],
      cursor: { drag: { x: false, y: false }, points: { show: false } },
      legend: { live: true },
      scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(1, max) * 1.1] } },
      axes: [
        { ...axis, space: 60 },
        { ...axis, size: 64, values: (_u, ticks) => ticks.map((t) => formatAkt(t, false)) },
      ],
      series: [
        { value: (_u, v) => (v == null ? '' : new Date(v * 1000).toISOString().slice(0, 10)) },
        {
          label: 'Usage',
          fill: usageColour,
          stroke: usageColour,
          paths: bars,
          points: { show: false },
          value: (_u, _v, _s, i) => (i == null ? '' : formatAkt(series.usage[i] ?? 0)),
        },
        {
          label: 'Participation',
          fill: partColour,
          stroke: partColour,
          paths: bars,
          points: { show: false },
          value: (_u, v) => (v == null ? '' : formatAkt(v)),
        },
      ],
    };
    // The usage bar is drawn at the full height (usage + participation) behind participation.
    const plot = new uPlot(opts, [series.days, total, series.participation], el);
    const resize = new ResizeObserver(() => plot.setSize({ width: el.clientWidth, height: 220 }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
  }, [series]);

  if (series.days.length === 0) return <p class="muted">No days to show.</p>;
  return (
    <figure class="chart">
      <div ref={box} role="img" aria-label={label} />
      <details>
        <summary>Show the days as a table</summary>
        <table class="cells">
          <thead>
            <tr>
              <th scope="col">Day (UTC)</th>
              <th scope="col">Usage</th>
              <th scope="col">Participation</th>
            </tr>
          </thead>
          <tbody>
            {series.days.map((d, i) => (
              <tr key={d}>
                <td>{new Date(d * 1000).toISOString().slice(0, 10)}</td>
                <td>{formatAkt(series.usage[i])}</td>
                <td>{formatAkt(series.participation[i])}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}
