/**
 * The baseline's load by wrk: its figures read from the line our script prints at the end, every
 * request counted and every non-2xx answer or socket error counted as a failure.
 */
import { strict as assert } from 'node:assert';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseWrkOutput, runWrk, wrkInstalled } from '../bench/wrk.js';

test('should read the figures of our done hook, in ms to a tenth', () => {
  const output = 'Running 6s test @ http://127.0.0.1:1/\n  1 threads and 50 connections\n\nOIOI_WRK {"requests":141000,"us":6002000,"p50":1890,"p99":15349,"status":0,"connect":0,"read":0,"write":0,"timeout":0}\n';
  const r = parseWrkOutput(output, 24_375);
  assert.deepEqual(r, { requests: 141_000, seconds: 6.002, rps: 141_000 / 6.002, p50: 1.9, p99: 15.3, failed: 0, errors: 0, answerBytes: 24_375 });
});

test('should count answers that are not 2xx and socket errors as failures', () => {
  const r = parseWrkOutput('OIOI_WRK {"requests":10,"us":1000000,"p50":1000,"p99":2000,"status":3,"connect":0,"read":1,"write":0,"timeout":1}', 42);
  assert.equal(r.failed, 5);
  assert.equal(r.errors, 2);
  assert.match(r.firstFailure!, /3 answers not 2xx\/3xx, 2 socket errors/);
});

test('should refuse an output without our figures, quoting it', () => {
  assert.throws(() => parseWrkOutput('unable to connect to 127.0.0.1:1 Connection refused', 42), /wrk printed no figures: unable to connect/);
});

test('should load a server with the body and key given, counting every request it answered', { skip: !wrkInstalled() && 'wrk is not installed (apt-get install wrk)', timeout: 30_000 }, async () => {
  let answered = 0;
  const seen = new Set<string>();
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c));
    req.on('end', () => {
      seen.add(`${req.method} ${req.headers.authorization} ${req.headers['content-type']} ${body}`);
      answered++;
      // Every tenth answer a 400: those are failures.
      res.writeHead(answered % 10 === 0 ? 400 : 200, { 'content-type': 'application/json' }).end('{"result":{"code":0}}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const dir = mkdtempSync(join(tmpdir(), 'oioi-wrk-'));
  try {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v4/request`;
    const r = await runWrk({ url, apiKey: 'baseline', body: '{"rfid-verify":{"rfid":"AB12"}}', connections: 4, seconds: 1, answerBytes: 21, dir });
    assert.deepEqual([...seen], ['POST key=baseline application/json {"rfid-verify":{"rfid":"AB12"}}']);
    assert.ok(r.requests > 100 && r.requests <= answered, `requests ${r.requests}, answered ${answered}`);
    assert.ok(Math.abs(r.failed - r.requests / 10) <= 5, `failed ${r.failed} of ${r.requests}`);
    assert.ok(r.seconds >= 0.9 && r.seconds < 2, `seconds ${r.seconds}`);
  } finally {
    server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
