/**
 * The benchmark's flags: where results go. A profiled hub runs slower than an unprofiled one, so
 * a `--profile` run must not overwrite the committed results that bench/README.md quotes.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { readConfig } from '../bench/config.js';
import { repoRoot } from '../bench/processes.js';

const results = join(repoRoot, 'bench', 'results');

test('results go to bench/results by default', () => {
  assert.equal(readConfig(['--baseline-load', 'autocannon']).out, results);
});

test('a profiled run writes its results beside its profiles', () => {
  const c = readConfig(['--profile', '/tmp/prof', '--baseline-load', 'autocannon']);
  assert.equal(c.profile, '/tmp/prof');
  assert.equal(c.out, '/tmp/prof');
});

test('--out wins over the profile folder', () => {
  assert.equal(readConfig(['--profile', '/tmp/prof', '--out', '/tmp/res', '--baseline-load', 'autocannon']).out, '/tmp/res');
});

test('unknown scenarios and bad numbers are refused with the usage line', () => {
  assert.throws(() => readConfig(['--scenario', 'status,nope']), /unknown scenario 'nope'\nusage: npm run bench/);
  assert.throws(() => readConfig(['--duration', '0']), /--duration takes a positive number/);
  assert.throws(() => readConfig(['--db', 'mysql://x']), /--db takes a postgres:\/\/ URL/);
});
