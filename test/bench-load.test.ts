/**
 * The load generator times a run itself, from its start to its last answer: autocannon reports an
 * `amount` run on its next one-second tick, which counted up to a second more than the run took
 * (the station scenario's short baseline rounds came out as much as a third too slow).
 */
import { strict as assert } from 'node:assert';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, test } from 'node:test';
import { runLoad, stopLoad } from '../bench/load.js';

after(() => stopLoad());

test('should report an amount run that ends within a second as the time it took', { timeout: 60_000 }, async () => {
  const answer = '{"result":{"code":0,"message":"Success."}}';
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end(answer));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    const plan = { kind: 'status', partnerIdentifier: 'p', operator: 'T', connectors: 10, seed: 1 } as const;
    const started = performance.now();
    const r = await runLoad({ url, apiKey: 'k', plan, offset: 0, connections: 10, amount: 200 });
    const wall = (performance.now() - started) / 1000;
    assert.equal(r.requests, 200);
    assert.equal(r.failed, 0);
    // autocannon's own figure would be at least 1.0 s here; ours is the run's, within the job's wall time.
    assert.ok(r.seconds > 0 && r.seconds < 1 && r.seconds <= wall, `seconds ${r.seconds} (job's wall time ${wall.toFixed(3)} s)`);
    assert.equal(r.rps, r.requests / r.seconds);
  } finally {
    server.close();
  }
});
