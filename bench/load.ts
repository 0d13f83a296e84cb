/** Runs load jobs in one generator process, pinned to the load core, started on first use. */
import { fork, spawnSync, type ChildProcess } from 'node:child_process';
import { LOAD_CORE, pinTo, repoRoot } from './processes.js';
import type { LoadJob, LoadResult } from './load-worker.js';
import { stopWrk } from './wrk.js';

export type { LoadJob, LoadResult } from './load-worker.js';

let worker: ChildProcess | undefined;
let queue: Promise<unknown> = Promise.resolve();

function start(): ChildProcess {
  const child = fork('bench/load-worker.ts', [], { cwd: repoRoot, execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  // fork cannot start through taskset, but taskset re-pins a running process and all its threads.
  if (pinTo(LOAD_CORE).length && child.pid) spawnSync('taskset', ['-a', '-p', '-c', String(LOAD_CORE), String(child.pid)], { stdio: 'ignore' });
  child.once('exit', () => {
    if (worker === child) worker = undefined;
  });
  return child;
}

/**
 * Runs one job; jobs run one after another. Example: `await runLoad({ url, apiKey, plan, offset: 0, connections: 50, duration: 10 })`.
 */
export function runLoad(job: LoadJob): Promise<LoadResult> {
  const next = queue.then(
    () =>
      new Promise<LoadResult>((resolve, reject) => {
        const child = (worker ??= start());
        const onExit = (code: number | null) => reject(new Error(`load generator exited (${code}) during a job`));
        child.once('exit', onExit);
        child.once('message', (m: { ok: boolean; result?: LoadResult; error?: string }) => {
          child.off('exit', onExit);
          if (m.ok) resolve(m.result!);
          else reject(new Error(`load generator: ${m.error}`));
        });
        child.send(job);
      }),
  );
  queue = next.catch(() => undefined);
  return next;
}

/** Stops the generator process (at the end of a run), and a wrk still loading the baseline (an interrupted one). */
export function stopLoad(): void {
  stopWrk();
  worker?.disconnect();
  worker = undefined;
}
