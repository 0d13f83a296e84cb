/**
 * µs the main thread of this process ran on a CPU (Linux: schedstat, exact; else utime + stime in
 * clock ticks); NaN where /proc is missing. Wall time is no measure on a machine others load too,
 * and process CPU also counts the fsync and checkpoint threads, which a pinned hub shares its core with.
 * Example: `const t = mainThreadCpuUs(); work(); console.log(mainThreadCpuUs() - t)`.
 */
import { existsSync, readFileSync } from 'node:fs';

const TASK = `/proc/${process.pid}/task/${process.pid}`;

export function mainThreadCpuUs(): number {
  if (existsSync(`${TASK}/schedstat`)) return Number(readFileSync(`${TASK}/schedstat`, 'utf8').split(' ')[0]) / 1000;
  if (!existsSync(`${TASK}/stat`)) return NaN;
  const fields = readFileSync(`${TASK}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10_000; // utime, stime at 100 ticks/s
}
