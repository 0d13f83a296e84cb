/**
 * Scratch folders of the bench's scripts that go however the script ends: at its end, on an error
 * nothing catches, on Ctrl-C or SIGTERM. Before, a micro-benchmark stopped by hand left its SQLite
 * files (hundreds of megabytes for some) in $TMPDIR.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const made = new Set<string>();

/** Removes every scratch folder; synchronous, as an exit handler must be, and harmless twice. */
function removeAll(): void {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
  made.clear();
}

/** Exit codes of a process ended by a signal, as a shell reports them. */
const SIGNAL_EXIT = { SIGINT: 130, SIGTERM: 143 } as const;

let hooked = false;

/**
 * A new folder under $TMPDIR named `prefix` + random characters, removed when the process exits.
 * Example: `const dir = scratchDir('oioi-floor-wal-')`.
 */
export function scratchDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.add(dir);
  if (!hooked) {
    hooked = true;
    process.on('exit', removeAll);
    // A signal's default action ends the process without 'exit'; ending it ourselves runs it.
    for (const [signal, code] of Object.entries(SIGNAL_EXIT)) process.once(signal, () => process.exit(code));
  }
  return dir;
}
