/** `oioi send` end to end: a spawned CLI against a real server on port 0. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { aStatus, CPO_KEY, startTestServer } from '../../transport/test-support/server.js';
import { oioiArgv, repoRoot } from '../../../test/support/cli.js';

// The real command (test/support/cli.ts: bin/oioi.js under npm test), with real stdio and exit
// codes, as an operator runs it; the caller's OIOI_URL and OIOI_KEY are removed so none leaks in.
function oioi(args: string[], stdin?: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const env = { ...process.env };
    delete env.OIOI_URL;
    delete env.OIOI_KEY;
    const child = spawn(process.execPath, oioiArgv(args), { cwd: repoRoot, env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin ?? '');
  });
}

describe('oioi send', { concurrency: true }, () => {
  let t: Awaited<ReturnType<typeof startTestServer>>;
  let dir: string;
  before(async () => {
    t = await startTestServer({ logger: { info() {}, warn() {}, error() {} } });
    dir = await mkdtemp(join(tmpdir(), 'oioi-send-'));
  });
  after(async () => {
    await t.s.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('should print the answer and exit 0 on a success code', async () => {
    const file = join(dir, 'ok.json');
    await writeFile(file, JSON.stringify({ 'connector-post-status': aStatus() }));
    const r = await oioi(['send', '--url', t.url, '--key', CPO_KEY, file]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), { result: { code: 0, message: 'Success.' } });
  });

  test('should read standard input with - and exit 1 on a business error code', async () => {
    const r = await oioi(['send', '--url', t.url, '--key', CPO_KEY, '-'], JSON.stringify({ 'connector-post-status': aStatus({ 'connector-id': 'DE*8PS*E181' }) }));
    assert.equal(r.code, 1);
    assert.equal(JSON.parse(r.stdout).result.code, 181);
  });

  test('should exit 1 on an HTTP error answer such as 401', async () => {
    const r = await oioi(['send', '--url', t.url, '--key', 'wrong'], JSON.stringify({ 'connector-post-status': aStatus() }));
    assert.equal(r.code, 1);
    assert.equal(JSON.parse(r.stdout).result.code, 210);
  });

  test('should exit 2 when nothing listens', async () => {
    const r = await oioi(['send', '--url', 'http://127.0.0.1:1/api/v4/request', '--key', CPO_KEY, '-'], '{"connector-post-status":{}}');
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /cannot reach http:\/\/127\.0\.0\.1:1\/api\/v4\/request/);
  });

  test('should exit 2 on invalid JSON, an unreadable file or a missing flag', async () => {
    assert.equal((await oioi(['send', '--url', t.url, '--key', CPO_KEY, '-'], '{nope')).code, 2);
    assert.equal((await oioi(['send', '--url', t.url, '--key', CPO_KEY, join(dir, 'missing.json')])).code, 2);
    const r = await oioi(['send', '--key', CPO_KEY, '-'], '{}');
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--url is required/);
  });
});
