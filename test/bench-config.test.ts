/**
 * The benchmark's flags: where results go. A profiled hub runs slower than an unprofiled one, so
 * a `--profile` run must not overwrite the committed results that bench/README.md quotes.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { BenchUsageError, readConfig } from '../bench/config.js';
import { repoRoot } from '../bench/processes.js';
import { runScript } from './support/processes.js';

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
  assert.throws(() => readConfig(['--db', 'mysql://x']), /--db takes a postgres:\/\/ URL, or temp/);
  assert.equal(readConfig(['--db', 'temp']).db, 'temp');
  assert.equal(readConfig(['--db', 'postgresql://u@h/d']).db, 'postgresql://u@h/d');
});

test('flags it cannot run with, its own checks and parseArgs\' alike, are usage errors', () => {
  for (const argv of [['--bogus'], ['--duration'], ['--hub-log', 'loud'], ['--scenario', 'nope']]) {
    assert.throws(() => readConfig(argv), (err: unknown) => err instanceof BenchUsageError && /\nusage: npm run bench/.test(err.message), argv.join(' '));
  }
});

test('a usage error exits 2 with the problem and the usage line, and no stack', async () => {
  const err = await runScript('bench/run.ts', ['--bogus']);
  assert.equal(err.code, 2);
  assert.match(err.stderr, /^bench: Unknown option '--bogus'/m);
  assert.match(err.stderr, /^usage: npm run bench -- /m);
  assert.doesNotMatch(err.stderr, /\n\s+at /);
});
