/**
 * A too-large body: the sender reads its 413/230 instead of a reset. The rest of the body is read
 * and dropped up to DRAIN (then the connection stays usable); longer, slower or declared longer,
 * the connection is cut.
 */
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { DRAIN } from './body.js';
import { aStatus, CPO_KEY, startTestServer } from '../test-support/server.js';

const LIMIT = 1000;

/** One request's bytes: headers (Content-Length unless `chunked`) and body. */
function request(body: string, opts: { contentLength?: number; chunked?: boolean } = {}): string {
  const head = ['POST /api/v4/request HTTP/1.1', 'Host: x', 'Content-Type: application/json', `Authorization: key=${CPO_KEY}`];
  head.push(opts.chunked ? 'Transfer-Encoding: chunked' : `Content-Length: ${opts.contentLength ?? Buffer.byteLength(body)}`);
  return `${head.join('\r\n')}\r\n\r\n${opts.chunked ? `${Buffer.byteLength(body).toString(16)}\r\n${body}\r\n` : body}`;
}

/** A raw connection that collects what the server sends and how the connection ended. */
function connect(url: string) {
  const { port } = new URL(url);
  const socket = net.connect(Number(port), '127.0.0.1');
  let received = '';
  const ended = new Promise<string>((resolve) => {
    socket.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
    socket.on('close', () => resolve('closed'));
  });
  socket.on('data', (d) => (received += d.toString('latin1')));
  return {
    socket,
    ended,
    received: () => received,
    /** Resolves once `n` answers (status lines) have arrived. */
    answers: async (n: number, timeoutMs = 5000) => {
      const until = Date.now() + timeoutMs;
      while ((received.match(/HTTP\/1\.1 \d{3}/g) ?? []).length < n) {
        if (Date.now() > until) throw new Error(`fewer than ${n} answers: ${received.slice(0, 300)}`);
        await new Promise((r) => setTimeout(r, 10));
      }
      return [...received.matchAll(/HTTP\/1\.1 (\d{3})[\s\S]*?\r\n\r\n(\{[^\n]*?\}\})/g)].map((m) => ({ status: Number(m[1]), body: JSON.parse(m[2]!) }));
    },
  };
}

describe('server: the rest of a too-large body', () => {
  let t: Awaited<ReturnType<typeof startTestServer>>;
  const saved = { ...DRAIN };
  before(async () => {
    t = await startTestServer({ bodyLimit: LIMIT });
  });
  afterEach(() => Object.assign(DRAIN, saved));
  after(() => t.s.close(100));

  test('should answer 413/230 to a body written whole, keep the connection and answer the next request on it', async () => {
    const c = connect(t.url);
    const big = JSON.stringify({ 'connector-post-status': aStatus({ padding: 'x'.repeat(600_000) }) });
    // Both requests are written before anything is read, as a client that does not watch for early answers does.
    c.socket.write(request(big) + request(JSON.stringify({ 'connector-post-status': aStatus() })));
    const answers = await c.answers(2);
    assert.equal(answers[0]!.status, 413);
    assert.equal(answers[0]!.body.result.code, 230);
    assert.equal(answers[1]!.status, 200, 'the connection is still usable after the drained body');
    c.socket.destroy();
  });

  test('should answer a chunked body that grows past the limit at once, before its end', async () => {
    const c = connect(t.url);
    c.socket.write(request('x'.repeat(5000), { chunked: true })); // no last chunk: the body goes on
    const [first] = await c.answers(1, 1000);
    assert.equal(first!.status, 413);
    assert.equal(first!.body.result.code, 230);
    c.socket.destroy();
  });

  test('should cut the connection when the rest of the body is longer than the drain reads', async () => {
    DRAIN.bytes = 100_000;
    const c = connect(t.url);
    const body = 'x'.repeat(64 * 1024);
    c.socket.write(request(body, { chunked: true }));
    const [first] = await c.answers(1);
    assert.equal(first!.status, 413);
    // Keep writing: past 100 kB more the server stops reading and closes.
    let writes = 0;
    while (writes < 100 && !c.socket.destroyed) {
      c.socket.write(`${body.length.toString(16)}\r\n${body}\r\n`);
      writes++;
      await new Promise((r) => setTimeout(r, 5));
    }
    const how = await c.ended;
    assert.ok(['closed', 'ECONNRESET', 'EPIPE'].includes(how), how);
    assert.ok(writes < 100, 'the server cut the connection well before 6 MB');
  });

  test('should cut the connection when the rest of the body is slower than the drain waits', async () => {
    DRAIN.ms = 200;
    const c = connect(t.url);
    c.socket.write(request('x'.repeat(5000), { chunked: true }));
    await c.answers(1);
    const started = Date.now();
    const how = await c.ended;
    assert.ok(['closed', 'ECONNRESET'].includes(how), how);
    assert.ok(Date.now() - started < 2000, 'cut after the drain time, not at a server time-out');
  });

  test('should answer 413 and close at once when the declared length is beyond what a drain reads', async () => {
    const c = connect(t.url);
    c.socket.write(request('{"connector-post-status":', { contentLength: LIMIT + DRAIN.bytes + 1 }));
    const [first] = await c.answers(1);
    assert.equal(first!.status, 413);
    assert.match(c.received(), /connection: close/i);
    assert.equal(await c.ended, 'closed');
  });
});
