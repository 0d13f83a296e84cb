/**
 * A deadline for the first request of a connection: a client that connects and sends nothing (or
 * finishes a TLS handshake and then nothing) must not hold its socket: a cheap way to exhaust a
 * server. node:http 20 also counts a fresh connection against its headers timeout, but only looks
 * at its next connections check (connectionsCheckingInterval) and then answers 408; this closes the
 * socket at the deadline itself, without a word. Whichever comes first closes it
 * (test/e2e/hub-hostile-clients.test.ts accepts either).
 */
import type http from 'node:http';
import type { Socket } from 'node:net';

const FIRST = Symbol('oioi.firstRequestDeadline');
type Guarded = Socket & { [FIRST]?: NodeJS.Timeout };

/**
 * Destroys every new connection that has not delivered complete request headers within `ms`;
 * returns the function the request listener calls to clear it (a symbol read per request, no
 * 'data' listener, which would take node:http off its fast native parsing path).
 * Example: `const seen = guardFirstRequest(server, 10_000, false); … seen(req)`.
 */
export function guardFirstRequest(server: http.Server, ms: number, tls: boolean): (req: http.IncomingMessage) => void {
  if (!(ms > 0)) return () => {};
  // On https the request's socket is the TLS socket, which 'secureConnection' hands over.
  server.on(tls ? 'secureConnection' : 'connection', (socket: Guarded) => {
    const timer = setTimeout(() => socket.destroy(), ms);
    timer.unref();
    socket[FIRST] = timer;
    socket.once('close', () => clearTimeout(timer));
  });
  return (req) => {
    const socket = req.socket as Guarded;
    const timer = socket[FIRST];
    if (timer !== undefined) {
      clearTimeout(timer);
      socket[FIRST] = undefined;
    }
  };
}
