/**
 * `oioi demo` end to end: the real command from source, small and fast (`--stations 50
 * --status-interval 200`); the curl commands it prints are executed as printed (URL, headers, body)
 * with fetch, as a newcomer pasting them would.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { oioiArgv, repoRoot } from '../support/cli.js';

interface Curl { title: string; call: string; url: string; method: string; headers: Record<string, string>; body: string }

/** Splits a command line the way a POSIX shell does for what the demo prints: 'quoted' or bare words. */
function words(line: string): string[] {
  return [...line.matchAll(/'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2]!);
}

/** Every `curl` line of the banner with the `# n. title` line above it. */
function parseCurls(banner: string): Curl[] {
  const lines = banner.split('\n');
  const out: Curl[] = [];
  lines.forEach((line, i) => {
    if (!line.startsWith('curl ')) return;
    const w = words(line);
    const c: Curl = { title: lines[i - 1]!.replace(/^# \d+\. /, ''), call: '', url: '', method: 'GET', headers: {}, body: '' };
    for (let k = 1; k < w.length; k++) {
      const a = w[k]!;
      if (a === '-X') c.method = w[++k]!;
      else if (a === '-H') {
        const h = w[++k]!;
        c.headers[h.slice(0, h.indexOf(':')).trim()] = h.slice(h.indexOf(':') + 1).trim();
      } else if (a === '-d') c.body = w[++k]!;
      else if (a === '-w') k++;
      else if (!a.startsWith('-')) c.url = a;
    }
    c.call = Object.keys(JSON.parse(c.body))[0]!;
    out.push(c);
  });
  return out;
}

async function execute(c: Curl): Promise<{ status: number; body: any }> {
  const res = await fetch(c.url, { method: c.method, headers: c.headers, body: c.body });
  return { status: res.status, body: await res.json() };
}

const GERMANY = { 'min-lat': 47.2, 'max-lat': 55.1, 'min-long': 5.8, 'max-long': 15.1 };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('oioi demo', () => {
  let child: ChildProcess;
  let stdout = '';
  let stderr = '';
  let banner = '';
  let curls: Curl[] = [];
  let dbFile = '';
  let minimumVersionAnswer: any;
  const byCall = (call: string) => curls.find((c) => c.call === call)!;

  before(async () => {
    child = spawn(process.execPath, oioiArgv(['demo', '--port', '0', '--stations', '50', '--status-interval', '200']), {
      cwd: repoRoot,
      // OIOI_DB from the caller's environment would replace the temporary database.
      env: { ...process.env, OIOI_LOG: 'silent', OIOI_DB: '', OIOI_PORT: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (d) => (stdout += d));
    child.stderr!.on('data', (d) => (stderr += d));
    banner = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no 'oioi demo ready' within 60 s; stderr: ${stderr}`)), 60_000);
      child.stdout!.on('data', () => {
        if (stdout.includes('oioi demo ready\n')) { clearTimeout(timer); resolve(stdout); }
      });
      child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`demo exited ${code} before it was ready: ${stderr}`)); });
    });
    curls = parseCurls(banner);
    dbFile = /^database\s+sqlite:(\S+)/m.exec(banner)?.[1] ?? '';
  });

  after(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });

  it('should print the hub URL, both partners with key and identifier, six curl commands, and end with the ready line', () => {
    assert.match(banner, /^hub\s+http:\/\/127\.0\.0\.1:\d+\/api\/v4\/request$/m);
    assert.equal((banner.match(/API key\s+oioi_\S+/g) ?? []).length, 2);
    assert.equal((banner.match(/partner identifier\s+\S{16,}/g) ?? []).length, 2);
    assert.deepEqual(curls.map((c) => c.call), ['station-get-surface', 'station-get-by-ids', 'connector-post-status', 'session-start', 'rfid-verify', 'api-minimum-version-number']);
    for (const c of curls) {
      assert.equal(c.method, 'POST');
      assert.match(c.headers.Authorization!, /^key=oioi_/);
      assert.equal(c.headers['Content-Type'], 'application/json');
    }
    assert.equal(banner.trimEnd().split('\n').at(-1), 'oioi demo ready');
    assert.ok(dbFile && existsSync(dbFile), `temporary database ${dbFile} exists while the demo runs`);
  });

  it('should change connector statuses every few hundred milliseconds', async () => {
    const surface = byCall('station-get-surface');
    const snapshot = async () => {
      const r = await execute({ ...surface, body: JSON.stringify({ 'station-get-surface': GERMANY }) });
      assert.equal(r.body.result.code, 0);
      return new Map<string, string>(r.body.stations.flatMap((s: any) => Object.entries(s['connector-statuses'])));
    };
    const first = await snapshot();
    assert.ok(first.size >= 100, `50 stations have at least 100 connectors (got ${first.size})`);
    let changed = 0;
    for (let attempt = 0; attempt < 5 && changed === 0; attempt++) {
      await sleep(1_000);
      const next = await snapshot();
      changed = [...next].filter(([id, status]) => first.get(id) !== status).length;
    }
    assert.ok(changed > 0, 'at least one connector changed status');
  });

  it('should answer every printed curl command with a success, as pasted', async () => {
    const results = new Map<string, { status: number; body: any }>();
    for (const c of curls) {
      const r = await execute(c);
      results.set(c.call, r);
      assert.equal(r.status, 200, `${c.title}: HTTP ${r.status} ${JSON.stringify(r.body)}`);
      assert.ok([0, 11, 12].includes(r.body.result.code), `${c.title}: ${JSON.stringify(r.body)}`);
    }
    const surface = results.get('station-get-surface')!.body;
    const box = JSON.parse(byCall('station-get-surface').body)['station-get-surface'];
    assert.ok(surface.stations.length > 0, 'stations over Berlin');
    for (const s of surface.stations) {
      assert.ok(s.latitude >= box['min-lat'] && s.latitude <= box['max-lat'] && s.longitude >= box['min-long'] && s.longitude <= box['max-long']);
    }
    const wanted = JSON.parse(byCall('station-get-by-ids').body)['station-get-by-ids']['station-ids'];
    assert.deepEqual(results.get('station-get-by-ids')!.body.stations.map((s: any) => s.id).sort(), [...wanted].sort());
    assert.match(results.get('session-start')!.body['session-start']['session-id'], /^DMO-/);
    const driver = /EVCO ID (\S+), RFID card (\S+)/.exec(banner)!;
    // The printed card is not on the offline whitelist: the hub asked the OEM, which names the contract.
    assert.equal(results.get('rfid-verify')!.body['evco-id'], driver[1]);
    assert.match(stderr, new RegExp(`oem: hub asked about card ${driver[2]}: yes`));
    minimumVersionAnswer = results.get('api-minimum-version-number')!.body;
  });

  it('should get the minimum version in the shape of the spec', () => {
    // Kept apart from the test above: this checks the hub's answer more than the demo's command.
    assert.match(minimumVersionAnswer?.['api-minimum-version-number']?.['minimum-version'] ?? '', /^\d+(\.\d+)*$/, JSON.stringify(minimumVersionAnswer));
  });

  it('should deliver the CDR of the remote start to the demo OEM through the hub', async () => {
    // The session ends by itself after ten status intervals (2 s here); the outbox then delivers.
    // The CPO logs its CDR once the hub has answered it, and the hub's outbox may deliver to the OEM
    // before that answer is read: wait for both lines, in either order.
    const posted = /cpo: session DMO-\S+ finished.*CDR posted: code 0/;
    const t0 = Date.now();
    while (!(/oem: received CDR DMO-/.test(stderr) && posted.test(stderr)) && Date.now() - t0 < 20_000) await sleep(100);
    assert.match(stderr, posted);
    assert.match(stderr, /oem: received CDR DMO-\S+ on DE\*DMO\*E000001\*1/);
  });

  it('should stop on SIGTERM with exit code 0 and remove its temporary database', async () => {
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    child.kill('SIGTERM');
    assert.equal(await exited, 0, stderr);
    assert.equal(existsSync(dirname(dbFile)), false, 'temporary folder removed');
  });
});
