// A uPlot time-series chart that follows its container's width; rebuilt only when its series change.
import uPlot from 'uplot';
import { useEffect, useRef } from 'preact/hooks';

export interface Line { label: string; color: string }

const PALETTE = ['#2b6cb0', '#1f9d55', '#b7791f', '#c53030', '#6b46c1', '#2c7a7b', '#d53f8c', '#718096', '#975a16', '#276749'];
/** A stable colour for the i-th series. Example: `paletteColor(0)` -> '#2b6cb0'. */
export const paletteColor = (i: number) => PALETTE[i % PALETTE.length]!;

/** `x` are unix seconds; `ys[i]` belongs to `lines[i]`. */
export function Chart({ x, ys, lines, height = 220, testid }: { x: number[]; ys: number[][]; lines: Line[]; height?: number; testid?: string }) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const key = lines.map((l) => l.label).join('|');
  useEffect(() => {
    const el = box.current!;
    const opts: uPlot.Options = {
      width: Math.max(300, el.clientWidth), height,
      series: [{}, ...lines.map((l) => ({ label: l.label, stroke: l.color, width: 2, points: { show: false } }))],
      // 24-hour clock on the time axis (uPlot's default follows the en-US am/pm style).
      axes: [{ stroke: '#5a6577', values: (_u, ticks) => ticks.map((t) => new Date(t * 1000).toTimeString().slice(0, 5)) }, { stroke: '#5a6577', size: 44 }],
      scales: { y: { range: (_u, _min, max) => [0, Math.max(1, max)] } },
      legend: { live: false },
    };
    plot.current = new uPlot(opts, [x, ...ys], el);
    const ro = new ResizeObserver(() => plot.current?.setSize({ width: Math.max(300, el.clientWidth), height }));
    ro.observe(el);
    return () => { ro.disconnect(); plot.current?.destroy(); plot.current = null; };
  }, [key, height]);
  useEffect(() => { plot.current?.setData([x, ...ys]); }, [x, ys]);
  return <div class="chart" ref={box} data-testid={testid} />;
}
