/**
 * The installed command (bin/oioi.js on the compiled dist/), as `npx oioi` runs it after
 * `npm install`. `npm test` builds dist/ before running the tests.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot, tempDir } from '../support/cli.js';

const bin = join(repoRoot, 'bin/oioi.js');

describe('the oioi command', () => {
  it('should list its commands with --help and exit 2 on an unknown command', () => {
    const help = spawnSync(process.execPath, [bin, '--help'], { encoding: 'utf8' });
    assert.equal(help.status, 0);
    for (const c of ['hub', 'partner', 'key', 'send', 'schema']) assert.match(help.stdout, new RegExp(`\\b${c}\\b`));
    const bad = spawnSync(process.execPath, [bin, 'frobnicate'], { encoding: 'utf8' });
    assert.equal(bad.status, 2);
  });

  it('should start the hub on port 0, print its full request URL, and stop cleanly on SIGTERM', async () => {
    const tmp = tempDir();
    try {
      const child = spawn(process.execPath, [bin, 'hub', '--db', `sqlite:${join(tmp.dir, 'h.db')}`, '--port', '0'], { env: { ...process.env, OIOI_LOG: 'silent' } });
      const line = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (d) => { out += d; if (out.includes('\n')) resolve(out.split('\n')[0]!); });
        child.once('exit', (c) => reject(new Error(`exited ${c}`)));
      });
      assert.match(line, /^oioi hub listening on http:\/\/127\.0\.0\.1:[0-9]+\/api\/v4\/request$/);
      const url = line.split(' ').pop()!;
      const r = await fetch(url, { method: 'GET' });
      assert.equal(r.status, 405);
      assert.equal(r.headers.get('allow'), 'POST');
      const code = await new Promise<number | null>((resolve) => { child.once('exit', (c) => resolve(c)); child.kill('SIGTERM'); });
      assert.equal(code, 0);
    } finally {
      tmp.remove();
    }
  });

  it('should honour OIOI_ environment variables beside flags', async () => {
    const tmp = tempDir();
    try {
      const child = spawn(process.execPath, [bin, 'hub'], { env: { ...process.env, OIOI_LOG: 'silent', OIOI_DB: `sqlite:${join(tmp.dir, 'e.db')}`, OIOI_PORT: '0', OIOI_PATH: '/oioi' } });
      const line = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (d) => { out += d; if (out.includes('\n')) resolve(out.split('\n')[0]!); });
        child.once('exit', (c) => reject(new Error(`exited ${c}`)));
      });
      assert.match(line, /\/oioi$/);
      await new Promise((resolve) => { child.once('exit', resolve); child.kill('SIGINT'); });
    } finally {
      tmp.remove();
    }
  });
});
