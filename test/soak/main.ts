/**
 * `npm run soak [-- CALLS]`: 10,000 misbehaving-partner calls against a hub process by default;
 * prints the hub's sockets, RSS and probe latency before and after, and exits 1 when they did not
 * come back to normal (see soak.ts for the thresholds).
 */
import { runSoak } from './soak.js';

const calls = Number(process.argv[2] ?? process.env.OIOI_SOAK_CALLS ?? 10_000);
if (!(Number.isInteger(calls) && calls > 0)) {
  process.stderr.write('usage: npm run soak [-- CALLS]\n');
  process.exit(2);
}
const report = await runSoak({ calls, log: (line) => process.stdout.write(`soak: ${line}\n`) });
const { before: b, after: a } = report;
process.stdout.write(
  [
    `soak: ${report.calls} calls in ${report.seconds.toFixed(1)} s (${(report.calls / report.seconds).toFixed(0)}/s), slowest ${report.slowestMs.toFixed(0)} ms`,
    `             before    after`,
    `sockets      ${String(b.sockets).padEnd(9)} ${a.sockets}`,
    `RSS MiB      ${b.rssMiB.toFixed(1).padEnd(9)} ${a.rssMiB.toFixed(1)}`,
    `probe p50 ms ${b.probeP50Ms.toFixed(2).padEnd(9)} ${a.probeP50Ms.toFixed(2)}`,
    `probe p99 ms ${b.probeP99Ms.toFixed(2).padEnd(9)} ${a.probeP99Ms.toFixed(2)}`,
    `hub event-loop delay p99 ms: quiet before ${report.hubLoop.quietBeforeP99Ms}, while soaking up to ${report.hubLoop.soakP99Ms} (max ${report.hubLoop.soakMaxMs}), quiet after ${report.hubLoop.quietAfterP99Ms}`,
    `late calls ${report.late}, timeout codes ${report.wrong}, no answer ${report.transportErrors} (tolerated: ${Math.floor(report.calls * report.tolerance)}); soak driver's worst stall ${report.driverMaxStallMs} ms`,
    report.problems.length === 0 ? 'soak: OK, the hub came back to normal' : `soak: FAILED\n${report.problems.map((p) => `  - ${p}`).join('\n')}`,
  ].join('\n') + '\n',
);
process.exit(report.problems.length === 0 ? 0 : 1);
