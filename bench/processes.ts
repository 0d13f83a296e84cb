/**
 * The processes a benchmark starts: servers (the hub, the baseline) pinned to one core, with their
 * output in a log file, and their memory read from /proc.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, openSync, closeSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { statFields } from './thread-cpu.js';

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The core the servers run on, and the one the load generator runs on, when pinning works. */
export const SERVER_CORE = 0;
export const LOAD_CORE = 1;

let tasksetWorks: boolean | undefined;

/** Turns pinning off (`--no-pin`): on a machine busy with other work a pinned process cannot move away from it. */
export function disablePinning(): void {
  tasksetWorks = false;
}

/** `taskset -c CORE` when the machine has two cores or more and taskset runs, else nothing. */
export function pinTo(core: number): string[] {
  tasksetWorks ??= cpus().length >= 2 && spawnSync('taskset', ['-c', '0', 'true']).status === 0;
  return tasksetWorks ? ['taskset', '-c', String(core)] : [];
}

/** Whether processes are pinned in this run (reported with the figures). */
export function pinning(): boolean {
  pinTo(0);
  return tasksetWorks === true;
}

const live = new Set<ChildProcess>();

/** Kills every server still running (the run was interrupted). Example: `process.on('SIGINT', killAll)`. */
export function killAll(): void {
  for (const child of live) child.kill('SIGKILL');
  live.clear();
}

/** A running server process. */
export interface ServerProcess {
  pid: number;
  url: string;
  logFile: string;
  child: ChildProcess;
  /** kB of peak resident memory (VmHWM) so far. */
  peakRssKb(): number;
  /** kB of resident memory now (VmRSS). */
  rssKb(): number;
  /** SIGSTOP, resolving once the kernel shows it stopped: every thread, background work included, until `resume`. */
  pause(): Promise<void>;
  /** SIGCONT after `pause` (harmless otherwise). */
  resume(): void;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves when it exited. */
  stop(graceMs?: number): Promise<void>;
}

/** A field of /proc/<pid>/status in kB (0 when unreadable). Example: `procStatusKb(pid, 'VmHWM')`. */
export function procStatusKb(pid: number, field: 'VmHWM' | 'VmRSS'): number {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/** The state letter of /proc/<pid>/stat (R running, S sleeping, T stopped…), '' when unreadable. */
function procState(pid: number): string {
  return statFields(`/proc/${pid}/stat`)[0] ?? '';
}

/**
 * CPU time the process has used so far, all its threads, user and system, in ms (0 when
 * unreadable). Clock ticks of /proc/<pid>/stat (fields 14 and 15), USER_HZ taken as 100.
 * Example: `const before = procCpuMs(pid)`.
 */
export function procCpuMs(pid: number): number {
  const { user, system } = procCpuSplitMs(pid);
  return user + system;
}

/** `procCpuMs` in its two parts: user and system time, ms. Example: `const { user, system } = procCpuSplitMs(pid)`. */
export function procCpuSplitMs(pid: number): { user: number; system: number } {
  const fields = statFields(`/proc/${pid}/stat`);
  return fields.length > 12 ? { user: Number(fields[11]) * 10, system: Number(fields[12]) * 10 } : { user: 0, system: 0 };
}

/**
 * Starts `node <args>` pinned to `core`, its stdout and stderr going to `logFile`, and waits for
 * a line matching `ready` (its first group is the URL).
 * Example: `await startServer({ args: ['bench/baseline-server.ts', '42'], logFile, ready: /listening on (\S+)/ })`.
 */
export async function startServer(o: { args: string[]; nodeArgs?: string[]; env?: NodeJS.ProcessEnv; logFile: string; ready: RegExp; core?: number; timeoutMs?: number; tsx?: boolean }): Promise<ServerProcess> {
  const fd = openSync(o.logFile, 'w');
  const argv = [...pinTo(o.core ?? SERVER_CORE), process.execPath, ...(o.nodeArgs ?? []), ...(o.tsx === false ? [] : ['--import', 'tsx']), ...o.args];
  const child = spawn(argv[0]!, argv.slice(1), { cwd: repoRoot, env: { ...process.env, ...o.env }, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  live.add(child);
  const exited = new Promise<void>((r) => child.once('exit', () => { live.delete(child); r(); }));
  const deadline = Date.now() + (o.timeoutMs ?? 120_000);
  let url: string | undefined;
  while (!url) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`server exited before it was ready: ${tail(o.logFile)}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`server not ready in time: ${tail(o.logFile)}`);
    }
    await sleep(50);
    // Only the head of the log: the URL line comes first, request logs follow.
    url = o.ready.exec(readHead(o.logFile))?.[1];
  }
  const pid = child.pid!;
  return {
    pid,
    url,
    logFile: o.logFile,
    child,
    peakRssKb: () => procStatusKb(pid, 'VmHWM'),
    rssKb: () => procStatusKb(pid, 'VmRSS'),
    async pause() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGSTOP');
      // The signal is delivered asynchronously: CPU read before the stop would count against the next phase.
      for (let i = 0; i < 200 && procState(pid) !== 'T'; i++) await sleep(5);
    },
    resume: () => { if (child.exitCode === null && child.signalCode === null) child.kill('SIGCONT'); },
    async stop(graceMs = 15_000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGCONT'); // a paused process would hold SIGTERM until the grace ran out
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(t);
    },
  };
}

function readHead(file: string): string {
  if (!existsSync(file)) return '';
  const buf = readFileSync(file);
  return buf.subarray(0, 64 * 1024).toString('utf8');
}

function tail(file: string): string {
  try {
    return readFileSync(file, 'utf8').slice(-2000);
  } catch {
    return '(no log)';
  }
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
