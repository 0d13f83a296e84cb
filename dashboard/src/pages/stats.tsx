// The Stats screen: requests per minute by call, result codes over time (last hour), and how many
// stations are in each status right now.
import { useEffect, useMemo, useState } from 'preact/hooks';
import { get } from '../api';
import { Chart, paletteColor } from '../components/chart';
import { count, STATUS_COLOR } from '../format';
import { STATUSES, type Stats } from '../types';

/** Turns per-minute maps into aligned uPlot columns. Example: `columns([{ minute, byCall: { a: 1 } }], 'byCall')`. */
export function columns<K extends string>(rows: ({ minute: string } & Record<K, Record<string, number>>)[], field: K) {
  const names = [...new Set(rows.flatMap((r) => Object.keys(r[field])))].sort();
  const x = rows.map((r) => Math.floor(new Date(r.minute).getTime() / 1000));
  const ys = names.map((n) => rows.map((r) => r[field][n] ?? 0));
  return { x, ys, names };
}

export function StatsPage() {
  const [stats, setStats] = useState<Stats | null>(null);
  const [error, setError] = useState('');
  useEffect(() => {
    const load = () => get<Stats>('/stats').then((s) => { setStats(s); setError(''); }, (e) => setError((e as Error).message));
    void load();
    const t = window.setInterval(load, 10_000);
    return () => window.clearInterval(t);
  }, []);
  const calls = useMemo(() => stats && columns(stats.requestsPerMinute, 'byCall'), [stats]);
  const codes = useMemo(() => stats && columns(stats.codesOverTime, 'byCode'), [stats]);
  if (error) return <p class="error">{error}</p>;
  if (!stats || !calls || !codes) return <p class="muted">Loading…</p>;
  const totalStations = STATUSES.reduce((n, s) => n + (stats.stationsByStatus[s] ?? 0), 0);
  return (
    <div class="stack">
      <h1>Stats</h1>
      <div class="tiles" data-testid="totals">
        <div class="tile card"><b>{count(stats.totals.stations)}</b><span>stations</span></div>
        <div class="tile card"><b>{count(stats.totals.connectors)}</b><span>connectors</span></div>
        <div class="tile card"><b>{count(stats.totals.partners)}</b><span>partners</span></div>
      </div>
      <div class="card">
        <h2>Stations by status</h2>
        <div class="bars" data-testid="stations-by-status">
          {STATUSES.map((s) => {
            const n = stats.stationsByStatus[s] ?? 0;
            return (
              <div class="bar-row" key={s} data-status={s}>
                <span class="bar-label">{s}</span>
                <span class="bar"><i style={{ width: `${totalStations ? (n / totalStations) * 100 : 0}%`, background: STATUS_COLOR[s] }} /></span>
                <span class="num">{n}</span>
              </div>
            );
          })}
        </div>
      </div>
      <div class="card">
        <h2>Requests per minute by call</h2>
        {calls.names.length === 0 ? <p class="muted">No requests in the last hour.</p>
          : <Chart testid="chart-calls" x={calls.x} ys={calls.ys} lines={calls.names.map((n, i) => ({ label: n, color: paletteColor(i) }))} />}
      </div>
      <div class="card">
        <h2>Result codes per minute</h2>
        {codes.names.length === 0 ? <p class="muted">No results in the last hour.</p>
          : <Chart testid="chart-codes" x={codes.x} ys={codes.ys} lines={codes.names.map((n, i) => ({ label: `code ${n}`, color: n === '0' ? STATUS_COLOR.Available : paletteColor(i + 2) }))} />}
      </div>
    </div>
  );
}
