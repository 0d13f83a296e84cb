/**
 * Scratch folders of the bench's scripts that go however the script ends: at its end, on an error
 * nothing catches, on Ctrl-C, SIGTERM, even SIGKILL. Before, a micro-benchmark stopped by hand
 * left its SQLite files (hundreds of megabytes for some) in $TMPDIR.
 *
 * Why a watchdog process rather than signal handlers: a handler runs on the event loop, and
 * several of these scripts block it for seconds or minutes (a seed in one transaction, a loop of
 * synchronous writes). With a handler installed, Ctrl-C would wait for them, and SIGTERM too;
 * without one, Ctrl-C ends them at once, as it always did. The watchdog, in its own process group
 * so Ctrl-C at a terminal does not reach it, holds the read end of a pipe from the script; the
 * kernel closes the other end when the script dies, however it dies, and the watchdog then removes
 * the folders it was told about.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The watchdog's code: one folder a line on stdin, every one removed once stdin ends. Its first line names it in `ps`. */
const WATCHDOG = `/* oioi-scratch-watchdog of ${process.pid} */
let dirs = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (d) => { dirs += d; });
process.stdin.on('error', () => {});
process.stdin.on('end', () => {
  for (const dir of dirs.split('\\n')) if (dir) require('node:fs').rmSync(dir, { recursive: true, force: true });
});`;

const made = new Set<string>();
let watchdog: ChildProcess | undefined;

/** Removes every scratch folder; synchronous, as an exit handler must be, and harmless twice. */
function removeAll(): void {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
  made.clear();
}

/** Starts the watchdog; neither it nor its pipe keeps this process alive. */
function startWatchdog(): ChildProcess {
  const child = spawn(process.execPath, ['-e', WATCHDOG], { detached: true, stdio: ['pipe', 'ignore', 'ignore'] });
  child.unref();
  (child.stdin as unknown as { unref(): void }).unref();
  child.stdin!.on('error', () => {}); // a watchdog that failed to start: the exit handler still cleans up
  // A normal end removes the folders at once; the watchdog then finds nothing left to do.
  process.on('exit', removeAll);
  return child;
}

/**
 * A new folder under $TMPDIR named `prefix` + random characters, removed when the process ends.
 * Example: `const dir = scratchDir('oioi-floor-wal-')`.
 */
export function scratchDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.add(dir);
  watchdog ??= startWatchdog();
  watchdog.stdin!.write(`${dir}\n`);
  return dir;
}
