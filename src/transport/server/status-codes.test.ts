/** One test per row of shared/protocol.md's "HTTP status and result codes" table. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { aStatus, post, startTestServer } from '../test-support/server.js';

describe('server: HTTP status and result codes', () => {
  let t: Awaited<ReturnType<typeof startTestServer>>;
  before(async () => {
    t = await startTestServer({ rateLimit: false });
  });
  after(() => t.s.close());

  const expectAnswer = (a: { status: number; json: any; headers: Record<string, unknown> }, status: number, code: number) => {
    assert.equal(a.status, status);
    assert.equal(a.json?.result?.code, code);
    assert.equal(typeof a.json.result.message, 'string');
    assert.match(String(a.headers['content-type']), /^application\/json; charset=utf-8$/);
  };

  test('should answer 200 with code 0 and the default message when the handler succeeds', async () => {
    const a = await post(t.url, { 'connector-post-status': aStatus() });
    expectAnswer(a, 200, 0);
    assert.deepEqual(a.json, { result: { code: 0, message: 'Success.' } });
  });

  test('should answer 200 with a business code thrown by the handler (181)', async () => {
    const a = await post(t.url, { 'connector-post-status': aStatus({ 'connector-id': 'DE*8PS*E181' }) });
    expectAnswer(a, 200, 181);
    assert.equal(a.json.result.message, 'EVSE not found');
  });

  test('should answer 400/230 when the body is not JSON', async () => {
    expectAnswer(await post(t.url, '{"connector-post-status": {'), 400, 230);
  });

  test('should answer 400/230 when the body is an array', async () => {
    expectAnswer(await post(t.url, [{ 'connector-post-status': aStatus() }]), 400, 230);
  });

  test('should answer 400/230 when the body has zero keys', async () => {
    expectAnswer(await post(t.url, {}), 400, 230);
  });

  test('should answer 400/230 when the body has two call keys', async () => {
    expectAnswer(await post(t.url, { 'connector-post-status': aStatus(), 'station-post': {} }), 400, 230);
  });

  test('should answer 400/230 naming the JSON path on a schema error', async () => {
    const a = await post(t.url, { 'connector-post-status': aStatus({ 'connector-id': 'not an evse' }) });
    expectAnswer(a, 400, 230);
    assert.match(a.json.result.message, /connector-post-status\.connector-id/);
  });

  test('should answer 400/200 for an unknown call', async () => {
    const a = await post(t.url, { 'no-such-call': {} });
    expectAnswer(a, 400, 200);
    assert.match(a.json.result.message, /unknown call/);
  });

  test('should answer 401/210 when Authorization is missing', async () => {
    expectAnswer(await post(t.url, { 'connector-post-status': aStatus() }, { authorization: '' }), 401, 210);
  });

  test('should answer 401/210 when Authorization has another scheme', async () => {
    expectAnswer(await post(t.url, { 'connector-post-status': aStatus() }, { authorization: 'Bearer secret-cpo-key-123' }), 401, 210);
  });

  test('should answer 401/210 for an unknown key', async () => {
    expectAnswer(await post(t.url, { 'connector-post-status': aStatus() }, { authorization: 'key=nope' }), 401, 210);
  });

  test('should answer 403/211 when the partner-identifier is not the key\'s', async () => {
    const a = await post(t.url, { 'connector-post-status': aStatus({ 'partner-identifier': 'pid-someone-else-99' }) });
    expectAnswer(a, 403, 211);
  });

  test('should answer 403/220 when the partner has no role for the call', async () => {
    expectAnswer(await post(t.url, { 'connector-post-status': aStatus() }, { authorization: 'key=secret-emp-key-456' }), 403, 220);
  });

  test('should answer 413/230 when the body is over the limit', async () => {
    const big = JSON.stringify({ 'connector-post-status': { ...aStatus(), pad: 'x'.repeat(1024 * 1024 + 10) } });
    expectAnswer(await post(t.url, big), 413, 230);
  });

  test('should answer 500/100 without stack or internals when the handler throws', async () => {
    const a = await post(t.url, { 'connector-post-status': aStatus({ 'connector-id': 'DE*8PS*EBOOM' }) });
    expectAnswer(a, 500, 100);
    assert.doesNotMatch(a.text, /secret internals|sqlite|at .*\.ts|Error:/);
    assert.ok(t.lines.some((l) => l.includes('secret internals') && l.includes('"stack"')), 'the error and its stack are logged internally');
  });

  test('should answer 503 with Retry-After when the handler says storage is unavailable', async () => {
    const a = await post(t.url, { 'connector-post-status': aStatus({ 'connector-id': 'DE*8PS*E503' }) });
    expectAnswer(a, 503, 100);
    assert.equal(a.headers['retry-after'], '7');
  });
});

describe('server: rate limit', () => {
  test('should answer 429 with Retry-After and code 200 once the key\'s bucket is empty', async () => {
    const t = await startTestServer({ rateLimit: { perSecond: 1, burst: 2 } });
    try {
      const body = { 'connector-post-status': aStatus() };
      assert.equal((await post(t.url, body)).status, 200);
      assert.equal((await post(t.url, body)).status, 200);
      const a = await post(t.url, body);
      assert.equal(a.status, 429);
      assert.equal(a.json.result.code, 200);
      assert.ok(Number(a.headers['retry-after']) >= 1);
      // another key has its own bucket
      assert.equal((await post(t.url, body, { authorization: 'key=secret-emp-key-456' })).status, 403);
    } finally {
      await t.s.close();
    }
  });
});
