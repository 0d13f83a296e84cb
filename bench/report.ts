/** The results: one JSON file per scenario and one table on stdout. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Outcome } from './scenarios/outcome.js';

/** The machine and run a result belongs to. */
export interface RunInfo {
  startedAt: string;
  quick: boolean;
  engine: string;
  nproc: number;
  cpu: string;
  node: string;
  pinned: boolean;
  connections: number;
  duration: number;
  hubLog: string;
  /** What loaded the baseline (the hub: autocannon always). */
  baselineLoad: 'wrk' | 'autocannon';
  /** The 1-minute load average before the run: other work on the machine skews figures. */
  loadAverage: number;
  /** PostgreSQL: each scenario had a database of its own (false: the role could not create one). */
  databasePerScenario?: boolean;
}

/**
 * Writes `<out>/<date>-<scenario>[-quick].json`; returns the path.
 * Example: `writeResult('bench/results', info, outcome)`.
 */
export function writeResult(out: string, info: RunInfo, outcome: Outcome): string {
  mkdirSync(out, { recursive: true });
  const file = join(out, `${info.startedAt.slice(0, 10)}-${outcome.scenario}${info.quick ? '-quick' : ''}.json`);
  writeFileSync(file, JSON.stringify({ ...outcome, run: info }, null, 2) + '\n');
  return file;
}

const int = (x: number | undefined) => (x === undefined ? '-' : Math.round(x).toLocaleString('en-US'));
const ms = (x: number | undefined) => (x === undefined ? '-' : `${x} ms`);
const mb = (kb: number | undefined) => (kb === undefined || kb === 0 ? '-' : `${Math.round(kb / 1024)} MB`);

/** `80 / 29`: each server's CPU µs per request (measure.ts), the figure that moves least with the machine's neighbours. */
function cpuOf(cpu: unknown): string {
  const c = cpu as { hub?: unknown; baseline?: unknown } | undefined;
  return typeof c?.hub === 'number' && typeof c.baseline === 'number' ? `${c.hub.toFixed(0)} / ${c.baseline.toFixed(0)}` : '-';
}

/** The table of a run, one row per scenario. Example: `console.log(table(outcomes))`. */
export function table(outcomes: Outcome[]): string {
  const head = ['scenario', 'req/s hub', 'req/s baseline', 'ratio', 'by CPU', 'target', 'p50', 'p99', 'peak RSS', 'CPU µs/req hub / baseline', 'result'];
  const rows = outcomes.map((o) => [
    o.scenario,
    int(o.hubRps),
    int(o.baselineRps),
    o.ratio === undefined ? '-' : o.ratio.toFixed(2),
    o.capacityRatio === undefined ? '-' : o.capacityRatio.toFixed(2),
    o.target,
    ms(o.p50),
    ms(o.p99),
    mb(o.rssKb),
    cpuOf(o.details.cpuUsPerRequest),
    o.pass ? 'pass' : 'FAIL',
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => '| ' + cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ') + ' |';
  const misses = outcomes.flatMap((o) => o.misses.map((m) => `  ${o.scenario}: ${m}`));
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line), ...(misses.length ? ['', 'missed:', ...misses] : [])].join('\n');
}
