/**
 * The floor measurements of bench/README.md ("The floor on this machine") still run: each script
 * on tiny inputs prints its figure. The figures themselves are not checked (they are the machine's).
 */
import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { test } from 'node:test';
import { promisify } from 'node:util';

const run = promisify(execFile);
const tsx = (script: string, ...args: string[]) => run(process.execPath, ['--import', 'tsx', script, ...args], { timeout: 120_000 });

test('should measure a commit of WAL frames with and without a sync, and as one write', async () => {
  const { stdout } = await tsx('bench/floor/wal.ts', '4', '20');
  for (const sync of ['none', 'fsync', 'fdatasync', 'one write']) {
    assert.match(stdout, new RegExp(`^${sync} +4 frames a commit: CPU +\\d+ µs a commit \\(system +\\d+\\), wall +\\d+ µs$`, 'm'));
  }
});

test('should measure statuses kept in memory behind an append-only log', async () => {
  const { stdout } = await tsx('bench/floor/status-log.ts', '5', '500');
  assert.match(stdout, /^status log, 5 posts a batch: CPU \d+\.\d µs per post$/m);
});

test('should measure pending statuses folded in the background against the hub path', async () => {
  const { stdout } = await tsx('bench/floor/status-fold.ts', '--stations', '500', '--posts', '500', '--batch', '5', '--fold-ms', '20');
  assert.match(stdout, /^hub path +500 posts: main thread CPU \d+\.\d µs per post, process CPU \d+\.\d$/m);
  assert.match(stdout, /^pending, fold 20 ms 500 posts: main thread CPU \d+\.\d µs per post, process CPU \d+\.\d; the read \d+\.\d µs a post, \d+ folds of \d+ rows at \d+\.\d µs a row$/m);
  assert.match(stdout, /^one fold of \d+ rows: \d+\.\d µs a row in a plain transaction, \d+\.\d inside a savepoint of a queued write$/m);
});

test('should measure a savepoint around each write against none, for a status and a station', async () => {
  const { stdout } = await tsx('bench/floor/savepoints.ts', '4', '2');
  for (const name of ['status', 'station']) {
    assert.match(stdout, new RegExp(`^${name} +25 writes a commit: CPU \\d+\\.\\d µs a write without savepoints, \\d+\\.\\d with one each \\([+-]\\d+\\.\\d\\)$`, 'm'));
  }
});

test('should measure an access line gathered against written each turn', async () => {
  const { stderr } = await tsx('bench/floor/log-lines.ts', '2', '200');
  for (const name of ['gathered', 'each turn']) assert.match(stderr, new RegExp(`^${name} +2 lines a turn: CPU \\d+\\.\\d\\d µs a line$`, 'm'));
});

test('should set bare node:http against the minimal server, every answer a success', { timeout: 120_000 }, async () => {
  // The script throws when either server failed a request.
  const { stdout } = await tsx('bench/floor/http.ts', '--duration', '3');
  assert.match(stdout, /^node:http +\d+ req\/s, CPU \d+\.\d µs per request$/m);
  assert.match(stdout, /^minimal +\d+ req\/s, CPU \d+\.\d µs per request$/m);
});

test('should measure what the hub allocates per request, and where', { timeout: 120_000 }, async () => {
  const { stderr } = await tsx('bench/floor/alloc.ts', 'verify', '300', '1000');
  const total = /^verify 300 requests: (\d+\.\d) KB of heap allocated per request$/m.exec(stderr);
  assert.ok(total, stderr);
  // A verify allocates kilobytes (node:http's objects alone), and the request pipeline is among the top sites.
  assert.ok(Number(total[1]) > 1, stderr);
  assert.match(stderr, /^ +\d+ B +\d+\.\d%  handle src\/transport\/server\/dispatch\.ts:\d+$/m);
});
