/**
 * Runs the real `oioi` command in a child process, as operators run it: the compiled `bin/oioi.js`
 * when `npm test` has just built dist/ (it sets OIOI_TEST_DIST=1), else from source through tsx.
 * Example: `const out = await oioi(['partner', 'add', '--db', db, '--name', 'A', '--roles', 'cpo', '--json'])`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const repoRoot = resolve(import.meta.dirname, '../..');
const entry = join(repoRoot, 'src/cli/entry.ts');
const bin = join(repoRoot, 'bin/oioi.js');
// A run from source compiles every module through tsx first: about 0.5 s per command against 0.2
// from dist/, and the e2e suites run several hundred commands. A test file run on its own (no
// build) still runs the sources, so it never tests a stale dist/.
const fromDist = process.env.OIOI_TEST_DIST === '1';

/** The argv that runs the command. Example: `spawn(process.execPath, oioiArgv(['hub', '--port', '0']))`. */
export function oioiArgv(args: string[]): string[] {
  return fromDist ? [bin, ...args] : ['--import', 'tsx', entry, ...args];
}

export interface CliResult { code: number | null; stdout: string; stderr: string }

/** Runs `oioi …` to completion. */
export function oioi(args: string[], { input, env }: { input?: string; env?: NodeJS.ProcessEnv } = {}): Promise<CliResult> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(process.execPath, oioiArgv(args), { cwd: repoRoot, env: { ...process.env, OIOI_LOG: 'silent', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolveRun({ code, stdout, stderr }));
    child.stdin.end(input ?? '');
  });
}

/** Runs `oioi …` and parses its standard output as JSON; throws with stderr when it fails. */
export async function oioiJson<T = any>(args: string[]): Promise<T> {
  const r = await oioi(args);
  if (r.code !== 0) throw new Error(`oioi ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

/** A temporary folder removed by the returned function. */
export function tempDir(prefix = 'oioi-test-'): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export type { ChildProcess };
