/**
 * The bench's scripts leave no scratch folder behind however they end (bench/scratch.ts): at
 * their end, on an uncaught error, on Ctrl-C or SIGTERM.
 */
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

/** Starts `node --import tsx <args>` with its own TMPDIR; `exited` resolves with its exit code. */
function start(tmp: string, args: string[]) {
  const child = spawn(process.execPath, ['--import', 'tsx', ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, TMPDIR: tmp } });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return { child, exited, stderr: () => stderr };
}

/** The scratch folders named `prefix` in `tmp` (tsx keeps its cache there too). */
const scratchIn = (tmp: string, prefix: string) => readdirSync(tmp).filter((f) => f.startsWith(prefix));

/** Resolves once `tmp` holds a folder named `prefix`, or fails after 30 s. */
async function untilMade(tmp: string, prefix: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (scratchIn(tmp, prefix).length === 0) {
    assert.ok(Date.now() < deadline, `no ${prefix}* folder appeared`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A script that makes a scratch folder, then throws (`fail`) or waits to be stopped. */
const holder = (fail: boolean) => [
  '--input-type=module',
  '-e',
  `const { scratchDir } = await import(${JSON.stringify(join(process.cwd(), 'bench/scratch.ts'))});
   scratchDir('oioi-scratch-a-'); scratchDir('oioi-scratch-b-');
   ${fail ? "setTimeout(() => { throw new Error('boom'); }, 10);" : 'setInterval(() => {}, 1000);'}`,
];

for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
  test(`should remove every scratch folder and exit ${code} on ${signal}`, { timeout: 60_000 }, async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'oioi-scratch-test-'));
    let p: ReturnType<typeof start> | undefined;
    try {
      p = start(tmp, holder(false));
      await untilMade(tmp, 'oioi-scratch-b-');
      p.child.kill(signal);
      assert.equal(await p.exited, code, p.stderr());
      assert.deepEqual(scratchIn(tmp, 'oioi-scratch-'), []);
    } finally {
      p?.child.kill('SIGKILL');
      rmSync(tmp, { recursive: true, force: true });
    }
  });
}

test('should remove every scratch folder when the script dies of an uncaught error', { timeout: 60_000 }, async () => {
  const tmp = mkdtempSync(join(tmpdir(), 'oioi-scratch-test-'));
  try {
    const p = start(tmp, holder(true));
    assert.equal(await p.exited, 1);
    assert.match(p.stderr(), /boom/);
    assert.deepEqual(scratchIn(tmp, 'oioi-scratch-'), []);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

test('should leave no folder of a floor script stopped by Ctrl-C while it measures', { timeout: 60_000 }, async () => {
  const tmp = mkdtempSync(join(tmpdir(), 'oioi-scratch-test-'));
  let p: ReturnType<typeof start> | undefined;
  try {
    // Long enough that it is still writing its WAL frames when stopped.
    p = start(tmp, ['bench/floor/wal.ts', '60', '1000000']);
    await untilMade(tmp, 'oioi-floor-wal-');
    await new Promise((r) => setTimeout(r, 300));
    p.child.kill('SIGINT');
    assert.equal(await p.exited, 130, p.stderr());
    assert.deepEqual(scratchIn(tmp, 'oioi-floor-wal-'), []);
  } finally {
    p?.child.kill('SIGKILL');
    rmSync(tmp, { recursive: true, force: true });
  }
});
