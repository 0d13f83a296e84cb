/**
 * µs the main thread of a process (by default this one) ran on a CPU (Linux: schedstat, exact;
 * else utime + stime in clock ticks); NaN where /proc is missing or the process is gone. Wall time
 * is no measure on a machine others load too, and process CPU also counts the fsync and checkpoint
 * threads, which a pinned hub shares its core with.
 * Example: `const t = mainThreadCpuUs(); work(); console.log(mainThreadCpuUs() - t)`.
 */
import { readFileSync } from 'node:fs';

export function mainThreadCpuUs(pid = process.pid): number {
  // The main thread is the process's first task, whose id is the pid (Node's event loop).
  const task = `/proc/${pid}/task/${pid}`;
  try {
    return Number(readFileSync(`${task}/schedstat`, 'utf8').split(' ')[0]) / 1000;
  } catch {
    // No schedstat (a kernel without it): the thread's own stat, in ticks.
  }
  try {
    const stat = readFileSync(`${task}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10_000; // utime, stime at 100 ticks/s
  } catch {
    return NaN;
  }
}
