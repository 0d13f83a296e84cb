import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { UsageError } from '../flags.js';
import { run } from './migrate.js';

describe('oioi migrate: flags', () => {
  it('should refuse missing or contradicting flags as usage errors (exit code 2) before opening anything', async () => {
    for (const [argv, message] of [
      [['--from', 'sqlite:/tmp/a.db'], /--to is required/],
      [['--to', 'sqlite:/tmp/a.db'], /--from is required/],
      [['--from', 'sqlite:/tmp/a.db', '--to', 'sqlite:/tmp/a.db'], /same database/],
      [['--from', 'sqlite:/tmp/a.db', '--to', 'postgres://db:5432'], /not a valid postgres:\/\/ URL/],
      [['--from', 'mysql://db/hub', '--to', 'sqlite:/tmp/b.db'], /unknown storage URL/],
      [['--from', 'sqlite:/tmp/a.db', '--to', 'sqlite:/tmp/b.db', '--batch', '0'], /--batch/],
    ] as Array<[string[], RegExp]>) {
      await assert.rejects(run(argv), (e: unknown) => e instanceof UsageError && message.test(e.message), argv.join(' '));
    }
  });

  it('should hide the password of a URL it cannot use', async () => {
    await assert.rejects(run(['--from', 'mysql://hub:s3cr3t@db/hub', '--to', 'sqlite:/tmp/b.db']), (e: unknown) => e instanceof UsageError && !e.message.includes('s3cr3t'));
  });
});
