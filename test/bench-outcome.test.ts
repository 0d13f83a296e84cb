/**
 * The benchmark's verdict: a target holds only when the hub reaches it against the baseline as
 * measured and against the baseline's capacity by CPU, since a load generator that cannot keep
 * the baseline busy makes the measured ratio look better than the hub is.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { LoadResult } from '../bench/load.js';
import type { Measured } from '../bench/measure.js';
import { outcomeOf } from '../bench/scenarios/outcome.js';
import { table } from '../bench/report.js';

const result = (rps: number): LoadResult => ({ requests: rps * 18, seconds: 18, rps, p50: 5, p99: 12, failed: 0, errors: 0, answerBytes: 24_000 });

/** A pair measured at these rates and CPU costs, its ratios derived as measurePair does. */
function measured(hubRps: number, baselineRps: number, cpu: { hub: number; baseline: number }): Measured {
  return {
    hub: result(hubRps),
    baseline: result(baselineRps),
    ratio: hubRps / baselineRps,
    capacityRatio: (hubRps * cpu.baseline) / 1e6,
    hubPeakRssKb: 300_000,
    cpuUsPerRequest: cpu,
    hubCpuSplitUsPerRequest: { mainThread: cpu.hub * 0.85, otherThreads: cpu.hub * 0.15, user: cpu.hub * 0.8, system: cpu.hub * 0.2 },
    hubCpuMsDuringBaseline: 0,
    rounds: { hub: [], baseline: [] },
  };
}

test('a ratio that passes only because the generator held the baseline back is a miss', () => {
  // The surface run of 2026-12-06 19:42: the baseline at 9,382 req/s used 44 µs a request, 41% of its core.
  const o = outcomeOf('surface', 'station-get-surface', measured(4_967, 9_382, { hub: 196, baseline: 43.9 }), { ratio: 0.3 });
  assert.equal(o.pass, false);
  assert.equal(o.ratio!.toFixed(2), '0.53');
  assert.equal(o.capacityRatio!.toFixed(2), '0.22');
  assert.deepEqual(o.misses, ["ratio 0.22 < 0.3 against the baseline's capacity (0.53 against its measured rate, which the load generator held)"]);
  assert.match(table([o]), /\| surface +\| 4,967 +\| 9,382 +\| 0\.53 +\| 0\.22 +\| >= 0\.3 .*\| 196 \/ 44 +\| FAIL +\|$/m);
});

test('a baseline that had its core to itself gives both ratios alike, and a hub above target passes', () => {
  // verify of the same run: 25,349 req/s at 35 µs, 89% of the core.
  const o = outcomeOf('verify', 'rfid-verify', measured(20_300, 25_349, { hub: 49, baseline: 35 }), { ratio: 0.6 });
  assert.equal(o.pass, true, o.misses.join('; '));
  assert.ok(o.capacityRatio! > 0.6 && o.capacityRatio! < o.ratio!);
});

test('a hub below target against the measured rate misses once, by that ratio', () => {
  const o = outcomeOf('status', 'connector-post-status', measured(8_856, 26_837, { hub: 101, baseline: 31 }), { ratio: 0.5, p99Ms: 20 });
  assert.deepEqual(o.misses, ['ratio 0.33 < 0.5']);
});
