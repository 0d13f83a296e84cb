/**
 * bench/outbox-drain.ts still runs on every engine the suites test: on tiny inputs it drains and
 * prints its figure (not checked: it is the machine's).
 */
import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { freshDatabase, testEngines } from './support/engines.js';

const run = promisify(execFile);

for (const engine of testEngines()) {
  test(`should time a backlog's drain on ${engine}`, { timeout: 120_000 }, async () => {
    const db = await freshDatabase(engine);
    try {
      const { stdout } = await run(process.execPath, ['--import', 'tsx', 'bench/outbox-drain.ts', '--db', db.url, '--open', '300', '--rounds', '5'], { timeout: 120_000 });
      assert.match(stdout, new RegExp(`^${engine === 'sqlite' ? 'sqlite' : 'postgres'}, 300 open entries: \\d+\\.\\d\\d ms per round, \\d+\\.\\d\\d ms per entry`, 'm'));
    } finally {
      await db.drop();
    }
  });
}
