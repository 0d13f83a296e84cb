/**
 * A deadline for the first request of a connection. node:http starts its headers timer at the
 * first byte of a request, so a client that connects and sends nothing (or finishes a TLS
 * handshake and then nothing) would hold its socket for ever: a cheap way to exhaust a server.
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
