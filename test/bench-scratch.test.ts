/**
 * The bench's scripts leave no scratch folder behind however they end (bench/scratch.ts): at
 * their end, on an uncaught error, on Ctrl-C, SIGTERM or SIGKILL, also while they block the event
 * loop; and Ctrl-C still ends them at once.
 */
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { processesNamingAfter } from './support/processes.js';

/** Starts `node --import tsx <args>` with its own TMPDIR; `exited` resolves with how it ended. */
function start(tmp: string, args: string[]) {
  const child = spawn(process.execPath, ['--import', 'tsx', ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, TMPDIR: tmp } });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => child.once('exit', (code, signal) => r({ code, signal })));
  return { child, exited, stderr: () => stderr };
}

/** The scratch folders named `prefix` in `tmp` (tsx keeps its cache there too). */
const scratchIn = (tmp: string, prefix: string) => readdirSync(tmp).filter((f) => f.startsWith(prefix));

/** Resolves once `check` holds, or fails after `ms`. */
async function until(check: () => boolean, what: string, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    assert.ok(Date.now() < deadline, what);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** After the script `pid` ended: its folders named `prefix` go within a few seconds, and so does its watchdog. */
async function allGone(tmp: string, prefix: string, pid: number): Promise<void> {
  await until(() => scratchIn(tmp, prefix).length === 0, `left behind: ${scratchIn(tmp, prefix).join(', ')}`, 5000);
  assert.deepEqual(await processesNamingAfter(`oioi-scratch-watchdog of ${pid} `, 5000), []);
}

/** A script that makes two scratch folders, then throws, waits, or blocks its event loop. */
const holder = (then: 'throw' | 'wait' | 'block') => [
  '--input-type=module',
  '-e',
  `const { scratchDir } = await import(${JSON.stringify(join(process.cwd(), 'bench/scratch.ts'))});
   scratchDir('oioi-scratch-a-'); scratchDir('oioi-scratch-b-');
   ${{ throw: "setTimeout(() => { throw new Error('boom'); }, 10);", wait: 'setInterval(() => {}, 1000);', block: 'for (;;);' }[then]}`,
];

for (const signal of ['SIGINT', 'SIGTERM', 'SIGKILL'] as const) {
  test(`should remove every scratch folder of a script ended by ${signal}, also one blocking its event loop`, { timeout: 60_000 }, async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'oioi-scratch-test-'));
    const started: Array<ReturnType<typeof start>> = [];
    try {
      for (const then of ['wait', 'block'] as const) {
        const p = start(tmp, holder(then));
        started.push(p);
        await until(() => scratchIn(tmp, 'oioi-scratch-b-').length === 1, 'no folder made');
        p.child.kill(signal);
        // Ended by the signal itself, at once: no handler of ours stands in its way.
        assert.deepEqual(await p.exited, { code: null, signal }, p.stderr());
        await allGone(tmp, 'oioi-scratch-', p.child.pid!);
      }
    } finally {
      for (const p of started) p.child.kill('SIGKILL');
      rmSync(tmp, { recursive: true, force: true });
    }
  });
}

test('should remove every scratch folder when the script dies of an uncaught error', { timeout: 60_000 }, async () => {
  const tmp = mkdtempSync(join(tmpdir(), 'oioi-scratch-test-'));
  try {
    const p = start(tmp, holder('throw'));
    assert.equal((await p.exited).code, 1);
    assert.match(p.stderr(), /boom/);
    await allGone(tmp, 'oioi-scratch-', p.child.pid!);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

test('should leave no folder of a floor script stopped by Ctrl-C while it measures', { timeout: 60_000 }, async () => {
  const tmp = mkdtempSync(join(tmpdir(), 'oioi-scratch-test-'));
  let p: ReturnType<typeof start> | undefined;
  try {
    // Long enough that it is still writing its WAL frames, synchronously, when stopped.
    p = start(tmp, ['bench/floor/wal.ts', '60', '1000000']);
    await until(() => scratchIn(tmp, 'oioi-floor-wal-').length === 1, 'no folder made');
    await new Promise((r) => setTimeout(r, 300));
    p.child.kill('SIGINT');
    assert.deepEqual(await p.exited, { code: null, signal: 'SIGINT' }, p.stderr());
    await allGone(tmp, 'oioi-floor-wal-', p.child.pid!);
  } finally {
    p?.child.kill('SIGKILL');
    rmSync(tmp, { recursive: true, force: true });
  }
});
