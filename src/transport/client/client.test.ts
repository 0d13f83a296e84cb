/** The client against real, scripted flaky servers on port 0. */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RequestOf } from '../../protocol/index.js';
import { OioiClient } from './client.js';
import { isOioiClientError, OioiClientError } from './errors.js';

type Step = (req: http.IncomingMessage, res: http.ServerResponse) => void;

/** A server answering the n-th request with script[n] (the last step repeats); counts hits and sockets. */
async function flaky(script: Step[]) {
  const state = { hits: 0, connections: 0, bodies: [] as string[] };
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      state.bodies.push(body);
      const step = script[Math.min(state.hits, script.length - 1)]!;
      state.hits++;
      step(req, res);
    });
  });
  server.on('connection', () => state.connections++);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v4/request`;
  const close = () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); });
  return { url, state, close };
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}): Step => (_req, res) => {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(text);
};
const ok = json(200, { result: { code: 0, message: 'Success.' } });
// Asserted: the registry's ConnectorStatus union currently types `status` as never (protocol layer issue).
const payload = { 'connector-id': 'DE*8PS*E123', status: 'Available', 'partner-identifier': 'pid-cpo-0000000001' } as RequestOf<'connector-post-status'>;
const fast = { retries: 3, minDelayMs: 5, maxDelayMs: 20 };

async function rejection(p: Promise<unknown>): Promise<OioiClientError> {
  try {
    await p;
  } catch (err) {
    assert.ok(isOioiClientError(err), `expected OioiClientError, got ${err}`);
    return err;
  }
  assert.fail('expected a rejection');
}

describe('client', () => {
  const cleanups: Array<() => unknown> = [];
  after(async () => {
    for (const c of cleanups) await c();
  });
  async function setup(script: Step[], opts: Partial<ConstructorParameters<typeof OioiClient>[0]> = {}) {
    const f = await flaky(script);
    const client = new OioiClient({ url: f.url, apiKey: 'k-123', retry: fast, ...opts });
    cleanups.push(f.close, () => client.close());
    return { ...f, client };
  }

  test('should send the call body with the key and succeed after a 503', async () => {
    const { client, state } = await setup([json(503, { result: { code: 100, message: 'down' } }), ok]);
    const r = await client.send('connector-post-status', payload);
    assert.equal(r.result.code, 0);
    assert.equal(r.httpStatus, 200);
    assert.equal(state.hits, 2);
    assert.deepEqual(JSON.parse(state.bodies[0]!), { 'connector-post-status': payload });
  });

  test('should send a payload given as JSON as is', async () => {
    const { client, state } = await setup([ok]);
    const text = JSON.stringify(payload);
    await client.send('connector-post-status', undefined as never, { payloadJson: text });
    assert.equal(state.bodies[0], `{"connector-post-status":${text}}`);
    assert.deepEqual(JSON.parse(state.bodies[0]!), { 'connector-post-status': payload });
  });

  test('should wait for Retry-After before retrying', async () => {
    const { client, state } = await setup([json(429, { result: { code: 200, message: 'slow down' } }, { 'retry-after': '1' }), ok]);
    const t0 = Date.now();
    const r = await client.send('connector-post-status', payload);
    assert.equal(r.result.code, 0);
    assert.ok(Date.now() - t0 >= 950, `waited only ${Date.now() - t0} ms`);
    assert.equal(state.hits, 2);
  });

  test('should retry a 429 without Retry-After', async () => {
    const { client, state } = await setup([json(429, { result: { code: 200, message: 'x' } }), json(429, { result: { code: 200, message: 'x' } }), ok]);
    assert.equal((await client.send('connector-post-status', payload)).result.code, 0);
    assert.equal(state.hits, 3);
  });

  test('should not retry a 400 and return its result code', async () => {
    const { client, state } = await setup([json(400, { result: { code: 230, message: 'bad' } }), ok]);
    const r = await client.send('connector-post-status', payload);
    assert.equal(r.result.code, 230);
    assert.equal(r.httpStatus, 400);
    assert.equal(state.hits, 1);
  });

  test('should return the last 5xx answer with its code when retries run out', async () => {
    const { client, state } = await setup([json(503, { result: { code: '102', message: 'timeout' } })]);
    const r = await client.send('connector-post-status', payload);
    assert.equal(r.result.code, 102);
    assert.equal(r.httpStatus, 503);
    assert.equal(state.hits, 4);
  });

  test('should read the result code from a 404 or 422 body', async () => {
    const { client } = await setup([json(404, { result: { code: 181, message: 'EVSE not found' } }), json(422, { result: { code: 320, message: 'in use' } })]);
    const a = await client.send('connector-post-status', payload);
    assert.deepEqual([a.httpStatus, a.result.code], [404, 181]);
    const b = await client.send('connector-post-status', payload);
    assert.deepEqual([b.httpStatus, b.result.code], [422, 320]);
  });

  test('should read zero-padded string codes', async () => {
    const { client } = await setup([json(200, { result: { code: '011', message: 'started' } }), json(200, { result: { code: '000' } })]);
    assert.equal((await client.send('connector-post-status', payload)).result.code, 11);
    const b = await client.send('connector-post-status', payload);
    assert.equal(b.result.code, 0);
    assert.equal(b.result.message, '');
  });

  test('should keep the result code of an off-schema answer and say why it is off', async () => {
    const { client } = await setup([json(200, { result: { code: '181', message: 42 } })]);
    const r = await client.send('connector-post-status', payload);
    assert.equal(r.result.code, 181);
    assert.equal(r.result.message, '42');
    assert.equal(typeof r.schemaError, 'string');
  });

  test('should surface an unreadable answer as kind protocol', async () => {
    const { client } = await setup([json(502, '<html>bad gateway</html>')], { retry: false });
    const e = await rejection(client.send('connector-post-status', payload));
    assert.equal(e.kind, 'protocol');
    assert.equal(e.httpStatus, 502);
  });

  test('should retry a connection reset, then surface kind network', async () => {
    const { client, state } = await setup([(req) => req.socket.destroy()]);
    const e = await rejection(client.send('connector-post-status', payload));
    assert.equal(e.kind, 'network');
    assert.equal(e.attempts, 4);
    assert.equal(state.hits, 4);
  });

  test('should retry a refused connection, then surface kind network', async () => {
    const f = await flaky([ok]);
    await f.close();
    const client = new OioiClient({ url: f.url, apiKey: 'k', retry: { retries: 2, minDelayMs: 5, maxDelayMs: 10 } });
    cleanups.push(() => client.close());
    const e = await rejection(client.send('connector-post-status', payload));
    assert.equal(e.kind, 'network');
    assert.equal(e.attempts, 3);
    assert.match(e.message, /ECONNREFUSED/);
  });

  test('should surface a time-out as kind timeout naming the URL and the time', async () => {
    const { client, url } = await setup([() => {}], { retry: false, timeoutMs: 150 });
    const e = await rejection(client.send('connector-post-status', payload));
    assert.equal(e.kind, 'timeout');
    assert.equal(e.message, `no answer from ${url} within 150 ms`);
  });

  test('should reuse one keep-alive socket for sequential requests', async () => {
    const { client, state } = await setup([ok]);
    for (let i = 0; i < 5; i++) assert.equal((await client.send('connector-post-status', payload)).result.code, 0);
    assert.equal(state.hits, 5);
    assert.equal(state.connections, 1);
  });

  test('should stop at once when the signal aborts', async () => {
    const { client } = await setup([() => {}]);
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 50);
    const e = await rejection(client.send('connector-post-status', payload, { signal: ac.signal }));
    assert.equal(e.kind, 'aborted');
  });
});
