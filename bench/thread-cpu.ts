/** CPU time of processes and their threads, read from /proc (Linux). */
import { readFileSync } from 'node:fs';

/**
 * The fields of a /proc `stat` file (a process's or a task's) after the command name, from field
 * 3 (the state) on; [] when unreadable. The name (field 2) may hold spaces: fields are counted
 * after its closing parenthesis. Example: `statFields('/proc/1/stat')[0]` is init's state letter.
 */
export function statFields(file: string): string[] {
  try {
    const stat = readFileSync(file, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return [];
  }
}

/**
 * µs the main thread of a process (by default this one) ran on a CPU (Linux: schedstat, exact;
 * else utime + stime in clock ticks); NaN where /proc is missing or the process is gone. Wall time
 * is no measure on a machine others load too, and process CPU also counts the fsync and checkpoint
 * threads, which a pinned hub shares its core with.
 * Example: `const t = mainThreadCpuUs(); work(); console.log(mainThreadCpuUs() - t)`.
 */
export function mainThreadCpuUs(pid = process.pid): number {
  // The main thread is the process's first task, whose id is the pid (Node's event loop).
  const task = `/proc/${pid}/task/${pid}`;
  try {
    return Number(readFileSync(`${task}/schedstat`, 'utf8').split(' ')[0]) / 1000;
  } catch {
    // No schedstat (a kernel without it): the thread's own stat, in ticks.
  }
  const fields = statFields(`${task}/stat`);
  return fields.length > 12 ? (Number(fields[11]) + Number(fields[12])) * 10_000 : NaN; // utime, stime at 100 ticks/s
}
