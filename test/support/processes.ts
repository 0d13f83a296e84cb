/**
 * Which processes are still running, for tests that check a tool left none behind.
 * Example: `assert.deepEqual(processesNaming(dataDir), [])`.
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/** Processes (other than this one) whose command line names `text`, as "pid: command line". */
export function processesNaming(text: string): string[] {
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p) && Number(p) !== process.pid)) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
      if (cmd.includes(text)) found.push(`${pid}: ${cmd}`);
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

/**
 * The processes naming `text` once none is left or `ms` have passed, looked at every 100 ms: a
 * killed process leaves /proc a moment after its parent saw it end.
 * Example: `assert.deepEqual(await processesNamingAfter(dataDir, 5000), [])`.
 */
export async function processesNamingAfter(text: string, ms: number): Promise<string[]> {
  const deadline = Date.now() + ms;
  while (processesNaming(text).length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  return processesNaming(text);
}

/** Options of `runScript`. */
export interface RunScriptOptions {
  /** Sends the script SIGINT once its stderr matches. */
  interruptOn?: RegExp | undefined;
  /** Variables set on top of this process's environment. */
  env?: Record<string, string>;
}

/**
 * Runs `node --import tsx <script> ...args` from the repository's root; resolves once it ended and
 * its output closed.
 * Example: `const { code, stderr } = await runScript('bench/run.ts', ['--quick'], { interruptOn: /rounds of/ })`.
 */
export async function runScript(script: string, args: string[], { interruptOn, env }: RunScriptOptions = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  let stdout = '';
  let stderr = '';
  let sent = false;
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => {
    stderr += d;
    if (interruptOn && !sent && interruptOn.test(stderr)) (sent = true), child.kill('SIGINT');
  });
  const code = await new Promise<number | null>((r) => child.once('close', r));
  return { code, stdout, stderr };
}
