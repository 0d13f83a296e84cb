/**
 * A partner endpoint that misbehaves on purpose, for reliability tests: it hangs, resets the
 * connection, answers HTML, 500 or 503 (with or without Retry-After), trickles its answer byte
 * by byte, or never finishes it. The test picks a behaviour per request.
 * Example:
 *   const evil = await startEvilPartner(() => 'hang');
 *   await hub.addPartner({ name: 'CPO', roles: 'cpo', endpoint: evil.url });
 *   …; await evil.close();
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/** Every way this endpoint can fail, plus `ok` (a proper OIOI answer). */
export const misbehaviours = [
  'hang', // reads the request, never answers
  'reset', // destroys the connection after reading the request (ECONNRESET at the hub)
  'html', // 200 with an HTML page
  'error-500', // 500 with an OIOI body carrying code 100
  'unavailable-503', // 503 with a plain-text body, no Retry-After
  'unavailable-503-retry-after', // 503 with Retry-After: 30 and an HTML body
  'lying-503', // 503 whose body claims success: an HTTP error is an error whatever the body says
  'garbage', // 200 with JSON that has no result code
  'trickle', // a valid answer, one byte every 150 ms
  'never-close', // headers and half a body, then silence with the connection open
] as const;

export type Misbehaviour = (typeof misbehaviours)[number];
export type Behaviour = Misbehaviour | 'ok';

/** What the partner received: the call name, its payload, and the behaviour it answered with. */
export interface EvilReceived { call: string; payload: any; behaviour: Behaviour; at: number }

/** Chooses the behaviour for one request; `ok` may carry the body to answer. */
export type EvilChooser = (r: { call: string; payload: any; index: number }) => Behaviour | { ok: unknown };

export interface EvilPartner {
  url: string;
  received: EvilReceived[];
  /** Replaces the chooser. */
  behave(choose: EvilChooser | Behaviour): void;
  /** Connections open right now, idle keep-alive ones included. */
  openConnections(): number;
  /** Connections held by a request this partner never finishes answering (hang, trickle, never-close). */
  stuckConnections(): number;
  close(): Promise<void>;
}

const success = { result: { code: 0, message: 'Success.' } };

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let s = '';
    req.setEncoding('utf8');
    req.on('data', (d) => (s += d));
    req.on('end', () => resolve(s));
    req.on('error', () => resolve(s));
  });
}

/** Starts a misbehaving endpoint on 127.0.0.1, port 0; idle keep-alive connections close after `keepAliveMs`. Example: `await startEvilPartner('reset')`. */
export async function startEvilPartner(initial: EvilChooser | Behaviour = 'ok', { keepAliveMs = 60_000 }: { keepAliveMs?: number } = {}): Promise<EvilPartner> {
  let choose: EvilChooser = typeof initial === 'function' ? initial : () => initial;
  const received: EvilReceived[] = [];
  const sockets = new Set<Socket>();
  const stuck = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();

  const answer = (res: ServerResponse, status: number, type: string, body: string, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body), ...headers });
    res.end(body);
  };

  const server = createServer(async (req, res) => {
    const text = await readBody(req);
    let body: any;
    try { body = JSON.parse(text); } catch { body = undefined; }
    const call = body && typeof body === 'object' ? Object.keys(body)[0] ?? '' : '';
    const picked = choose({ call, payload: body?.[call], index: received.length });
    const behaviour: Behaviour = typeof picked === 'string' ? picked : 'ok';
    received.push({ call, payload: body?.[call], behaviour, at: Date.now() });
    if (behaviour === 'hang' || behaviour === 'trickle' || behaviour === 'never-close') {
      const socket = req.socket;
      stuck.add(socket);
      socket.once('close', () => stuck.delete(socket));
    }
    const okBody = JSON.stringify(typeof picked === 'object' ? picked.ok : success);
    switch (behaviour) {
      case 'ok': return answer(res, 200, 'application/json', okBody);
      case 'hang': return; // the socket stays open until the hub gives up or close() cuts it
      case 'reset': return req.socket.destroy();
      case 'html': return answer(res, 200, 'text/html', '<!doctype html><html><body><h1>Welcome to nginx!</h1></body></html>');
      case 'error-500': return answer(res, 500, 'application/json', JSON.stringify({ result: { code: 100, message: 'internal error' } }));
      case 'unavailable-503': return answer(res, 503, 'text/plain', 'Service Unavailable');
      case 'unavailable-503-retry-after': return answer(res, 503, 'text/html', '<html><body>down for maintenance</body></html>', { 'retry-after': '30' });
      case 'lying-503': return answer(res, 503, 'application/json', okBody);
      case 'garbage': return answer(res, 200, 'application/json', '{"status":"fine","data":[1,2,3]}');
      case 'trickle': {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(okBody) });
        let i = 0;
        const drip = setInterval(() => {
          if (res.destroyed || i >= okBody.length) { clearInterval(drip); timers.delete(drip); if (!res.destroyed) res.end(); return; }
          res.write(okBody[i++]);
        }, 150);
        timers.add(drip);
        return;
      }
      case 'never-close': {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(okBody) });
        res.write(okBody.slice(0, Math.floor(okBody.length / 2)));
        return;
      }
    }
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.keepAliveTimeout = keepAliveMs;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}/api/v4/request`,
    received,
    behave(c) { choose = typeof c === 'function' ? c : () => c; },
    openConnections: () => sockets.size,
    stuckConnections: () => stuck.size,
    close: () =>
      new Promise<void>((r) => {
        for (const t of timers) clearInterval(t);
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}
