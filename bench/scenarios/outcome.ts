/** One row of the results table, and how a scenario's figures become one. */
import type { ScenarioName } from '../config.js';
import type { Measured } from '../measure.js';

export interface Outcome {
  scenario: ScenarioName;
  /** What was measured, in a few words. */
  what: string;
  hubRps?: number;
  baselineRps?: number;
  ratio?: number;
  /** The hub's req/s against the baseline's capacity by CPU (see Measured.capacityRatio). */
  capacityRatio?: number;
  /** The target, as printed. */
  target: string;
  /** ms, of the hub under load. */
  p50?: number;
  p99?: number;
  /** kB: VmHWM of the hub (for `memory`: VmRSS when idle). */
  rssKb?: number;
  pass: boolean;
  /** Why it failed: each missed target or refused request. */
  misses: string[];
  /** Everything else worth keeping in the result file. */
  details: Record<string, unknown>;
}

/**
 * Turns a measured pair into a row, checking the ratio (and p99 when given) and that every request
 * was answered with success. The target must hold for both ratios, as measured and against the
 * baseline's capacity: a baseline held back by the load generator makes the first look better
 * than the hub is. Example: `outcomeOf('verify', 'rfid-verify', m, { ratio: 0.6 })`.
 */
export function outcomeOf(scenario: ScenarioName, what: string, m: Measured, target: { ratio: number; p99Ms?: number }, details: Record<string, unknown> = {}): Outcome {
  const misses: string[] = [];
  if (m.ratio < target.ratio) misses.push(`ratio ${m.ratio.toFixed(2)} < ${target.ratio}`);
  else if (m.capacityRatio < target.ratio) {
    misses.push(`ratio ${m.capacityRatio.toFixed(2)} < ${target.ratio} against the baseline's capacity (${m.ratio.toFixed(2)} against its measured rate, which the load generator held)`);
  }
  if (target.p99Ms !== undefined && m.hub.p99 > target.p99Ms) misses.push(`p99 ${m.hub.p99} ms > ${target.p99Ms} ms`);
  if (m.hub.failed > 0) misses.push(`${m.hub.failed} hub answers were not successes (first: ${m.hub.firstFailure})`);
  if (m.baseline.failed > 0) misses.push(`${m.baseline.failed} baseline answers failed (first: ${m.baseline.firstFailure})`);
  return {
    scenario,
    what,
    hubRps: m.hub.rps,
    baselineRps: m.baseline.rps,
    ratio: m.ratio,
    capacityRatio: m.capacityRatio,
    target: `>= ${target.ratio}` + (target.p99Ms !== undefined ? `, p99 <= ${target.p99Ms} ms` : ''),
    p50: m.hub.p50,
    p99: m.hub.p99,
    rssKb: m.hubPeakRssKb,
    pass: misses.length === 0,
    misses,
    details: { hub: m.hub, baseline: m.baseline, cpuUsPerRequest: m.cpuUsPerRequest, hubCpuSplitUsPerRequest: m.hubCpuSplitUsPerRequest, hubCpuMsDuringBaseline: m.hubCpuMsDuringBaseline, rounds: m.rounds, ...details },
  };
}
