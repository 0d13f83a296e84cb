/** Transport behaviour around the table: paths, methods, media types, request ids, logs, shutdown. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { callNames } from '../../protocol/index.js';
import { aStatus, CPO_KEY, post, startTestServer } from '../test-support/server.js';

describe('server: transport behaviour', () => {
  let t: Awaited<ReturnType<typeof startTestServer>>;
  before(async () => {
    t = await startTestServer();
  });
  after(() => t.s.close());

  test('should answer 404 on another path', async () => {
    const a = await post(t.url.replace('/api/v4/request', '/api/v4/other'), { 'connector-post-status': aStatus() });
    assert.equal(a.status, 404);
    assert.equal(typeof a.json.result.code, 'number');
  });

  test('should accept a query string on the request path', async () => {
    assert.equal((await post(`${t.url}?x=1`, { 'connector-post-status': aStatus() })).status, 200);
  });

  test('should answer 405 with Allow: POST on another method', async () => {
    const a = await post(t.url, '', {}, 'GET');
    assert.equal(a.status, 405);
    assert.equal(a.headers.allow, 'POST');
  });

  test('should answer 415 on another media type and accept a charset parameter', async () => {
    assert.equal((await post(t.url, { 'connector-post-status': aStatus() }, { 'content-type': 'text/plain' })).status, 415);
    assert.equal((await post(t.url, { 'connector-post-status': aStatus() }, { 'content-type': 'Application/JSON; charset=UTF-8' })).status, 200);
  });

  test('should answer 400/200 for a known call this server does not serve', async (ctx) => {
    const other = callNames.find((n) => n !== 'connector-post-status');
    if (!other) return ctx.skip('the registry holds no second call yet');
    const a = await post(t.url, { [other]: {} });
    assert.equal(a.status, 400);
    assert.equal(a.json.result.code, 200);
    assert.equal(a.json.result.message, `call ${other} is not served here`);
  });

  test('should answer 413/230 on a chunked body that grows past the limit', async () => {
    const small = await startTestServer({ bodyLimit: 1000 });
    try {
      const a = await new Promise<{ status: number; code: number }>((resolve, reject) => {
        const req = http.request(small.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `key=${CPO_KEY}` } }, (res) => {
          let text = '';
          res.on('data', (c) => (text += c));
          res.on('end', () => resolve({ status: res.statusCode!, code: JSON.parse(text).result.code }));
        });
        req.on('error', reject);
        req.write('{"connector-post-status":"');
        req.write('x'.repeat(2000));
        // never ends: the server must answer without waiting for the end of the body
      });
      assert.deepEqual(a, { status: 413, code: 230 });
    } finally {
      await small.s.close(100);
    }
  });

  test('should echo a sane X-Request-Id and generate one otherwise', async () => {
    const given = await post(t.url, { 'connector-post-status': aStatus() }, { 'x-request-id': 'abc-123' });
    assert.equal(given.headers['x-request-id'], 'abc-123');
    const insane = await post(t.url, { 'connector-post-status': aStatus() }, { 'x-request-id': 'x'.repeat(200) });
    assert.match(String(insane.headers['x-request-id']), /^[0-9a-f]{12}-[0-9a-z]+$/);
  });

  test('should log one JSON line per request without the key, the header or the body', async () => {
    t.lines.length = 0;
    await post(t.url, { 'connector-post-status': aStatus({ status: 'Occupied' }) }, { 'x-request-id': 'log-check-1' });
    await post(t.url, { 'connector-post-status': aStatus() }, { authorization: 'key=wrong-secret-key' });
    await new Promise((r) => setImmediate(r));
    const all = t.lines.join('');
    assert.doesNotMatch(all, /secret-cpo-key-123|wrong-secret-key|key=|Occupied|authorization/i);
    const line = JSON.parse(t.lines.find((l) => l.includes('log-check-1'))!);
    assert.equal(line.level, 'info');
    assert.equal(line.call, 'connector-post-status');
    assert.equal(line.partner, 'CPO One');
    assert.equal(line.status, 200);
    assert.equal(line.code, 0);
    assert.equal(typeof line.ms, 'number');
    assert.ok(line.time);
  });

  test('should finish an in-flight slow request when closing gracefully', async () => {
    const g = await startTestServer();
    const slow = post(g.url, { 'connector-post-status': aStatus({ 'connector-id': 'DE*8PS*ESLOW' }) });
    await new Promise((r) => setTimeout(r, 100));
    const closing = g.s.close();
    const refused = await post(g.url, { 'connector-post-status': aStatus() }).then(() => false, () => true);
    const a = await slow;
    await closing;
    assert.equal(a.status, 200);
    assert.equal(a.json.result.code, 0);
    assert.equal(refused, true, 'new connections are refused while closing');
    assert.equal(g.s.server.listening, false);
  });
});
