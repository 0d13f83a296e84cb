/**
 * Plain HTTP helpers for tests: send an OIOI body, and mock partners that record what the hub
 * sends them and answer with a handler of the test's choice.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';

export interface SendResult<T = any> { status: number; body: T; headers: Headers }

/** POSTs one OIOI body. Example: `const r = await send(url, key, { 'connector-post-status': {...} })`. */
export async function send<T = any>(url: string, apiKey: string | undefined, body: unknown, headers: Record<string, string> = {}): Promise<SendResult<T>> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(apiKey ? { authorization: `key=${apiKey}` } : {}), ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: any;
  try { parsed = JSON.parse(text); } catch { parsed = text; }
  return { status: res.status, body: parsed, headers: res.headers };
}

export interface Received { call: string; payload: any; apiKey: string | undefined; body: any }

export interface MockPartner {
  url: string;
  received: Received[];
  /** Replaces how the partner answers. Return a body object (HTTP 200) or `{ status, body, delayMs }`. */
  respond(handler: MockHandler): void;
  /** Resolves when a message of `call` arrives (or is already there). */
  waitFor(call: string, timeoutMs?: number, predicate?: (r: Received) => boolean): Promise<Received>;
  close(): Promise<void>;
}

export type MockAnswer = { status?: number; body?: unknown; delayMs?: number; raw?: string };
export type MockHandler = (r: Received) => MockAnswer | unknown | Promise<MockAnswer | unknown>;

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let s = '';
    req.setEncoding('utf8');
    req.on('data', (d) => (s += d));
    req.on('end', () => resolve(s));
  });
}

/**
 * A partner endpoint (CPO, EMP, OEM or fleet) on port 0 that records every message.
 * Default answer: `{ result: { code: 0, message: 'Success.' } }`.
 */
export async function startMockPartner(handler?: MockHandler): Promise<MockPartner> {
  let current: MockHandler = handler ?? (() => ({ result: { code: 0, message: 'Success.' } }));
  const received: Received[] = [];
  const waiters: Array<() => void> = [];
  const server: Server = createServer(async (req, res) => {
    const text = await readBody(req);
    let body: any;
    try { body = JSON.parse(text); } catch { body = text; }
    const call = body && typeof body === 'object' ? Object.keys(body)[0] ?? '' : '';
    const auth = req.headers.authorization;
    const r: Received = { call, payload: body?.[call], apiKey: auth?.startsWith('key=') ? auth.slice(4) : undefined, body };
    received.push(r);
    waiters.splice(0).forEach((w) => w());
    let answer: any = await current(r);
    const isAnswer = answer && typeof answer === 'object' && ('status' in answer || 'delayMs' in answer || 'raw' in answer || ('body' in answer && !('result' in answer)));
    const a: MockAnswer = isAnswer ? answer : { body: answer };
    if (a.delayMs) await new Promise((d) => setTimeout(d, a.delayMs));
    if (res.destroyed) return;
    res.writeHead(a.status ?? 200, { 'content-type': 'application/json' });
    res.end(a.raw ?? JSON.stringify(a.body ?? { result: { code: 0, message: 'Success.' } }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}/api/v4/request`,
    received,
    respond: (h) => { current = h; },
    waitFor(call, timeoutMs = 10_000, predicate = () => true) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no ${call} arrived within ${timeoutMs} ms (got: ${received.map((x) => x.call).join(', ') || 'nothing'})`)), timeoutMs);
        const check = () => {
          const hit = received.find((x) => x.call === call && predicate(x));
          if (hit) { clearTimeout(timer); resolve(hit); } else waiters.push(check);
        };
        check();
      });
    },
    close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}
