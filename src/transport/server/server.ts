/** createOioiServer: the node:http(s) server around the dispatch pipeline, with graceful close. */
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { createRequestListener } from './dispatch.js';
import { createLogger } from './logger.js';
import { guardFirstRequest } from './first-request.js';
import { inputLimitsOf } from './limits.js';
import { createRateLimiter } from './rate-limit.js';
import type { OioiServer, ServerOptions } from './types.js';

/**
 * Creates (does not start) an OIOI server.
 * Example: `const s = createOioiServer({ authenticate, handlers }); const url = await s.listen(8080)`.
 */
export function createOioiServer(options: ServerOptions): OioiServer {
  const {
    path = '/api/v4/request',
    authenticate,
    handlers,
    authorize,
    bodyLimit = 1024 * 1024,
    logger = createLogger(),
    rateLimit = false,
    headersTimeoutMs = 10_000,
    requestTimeoutMs = 30_000,
    keepAliveTimeoutMs = 15_000,
    tls,
    validateResponses = false,
    fallback,
    onResponse,
    inputLimits,
  } = options;
  if (typeof authenticate !== 'function') throw new TypeError('createOioiServer: authenticate is required');
  if (!handlers || typeof handlers !== 'object') throw new TypeError('createOioiServer: handlers is required');
  if (!path.startsWith('/')) throw new TypeError(`createOioiServer: path must start with '/': ${path}`);
  if (typeof bodyLimit !== 'function' && !(bodyLimit > 0)) throw new TypeError('createOioiServer: bodyLimit must be positive');

  let closing = false;
  const listener = createRequestListener({
    path,
    authenticate,
    handlers,
    authorize,
    bodyLimit,
    inputLimits: typeof inputLimits === 'function' ? inputLimits : inputLimitsOf(inputLimits),
    logger,
    limiter: rateLimit ? createRateLimiter(rateLimit) : undefined,
    validateResponses,
    fallback,
    onResponse,
    isClosing: () => closing,
  });
  // node:http looks for expired header/request timers only every connectionsCheckingInterval
  // (30 s by default): check often enough that a slow client is cut close to its deadline.
  const timeouts = [headersTimeoutMs, requestTimeoutMs].filter((t) => t > 0);
  const httpOptions: http.ServerOptions = { connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(Math.min(...timeouts, 4000) / 4))) };
  const server: http.Server = tls
    ? https.createServer({ ...httpOptions, cert: tls.cert, key: tls.key, handshakeTimeout: headersTimeoutMs || 120_000 }, (req, res) => (seen(req), listener(req, res)))
    : http.createServer(httpOptions, (req, res) => (seen(req), listener(req, res)));
  const seen = guardFirstRequest(server, headersTimeoutMs, Boolean(tls));
  server.headersTimeout = headersTimeoutMs;
  server.requestTimeout = requestTimeoutMs;
  server.keepAliveTimeout = keepAliveTimeoutMs;

  let url: string | undefined;
  let closed: Promise<void> | undefined;

  return {
    server,
    get url() {
      return url;
    },
    listen(port = 0, host = '127.0.0.1') {
      return new Promise<string>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          const addr = server.address() as AddressInfo;
          const shown = addr.family === 'IPv6' || addr.address.includes(':') ? `[${addr.address}]` : addr.address;
          url = `${tls ? 'https' : 'http'}://${shown}:${addr.port}${path}`;
          resolve(url);
        });
      });
    },
    close(graceMs = 10_000) {
      if (closed) return closed;
      closing = true;
      closed = new Promise<void>((resolve) => {
        if (!server.listening) return resolve();
        // Idle keep-alive sockets are closed now and again as in-flight answers finish
        // (those answers carry Connection: close); whatever is left after graceMs is cut.
        const sweep = setInterval(() => server.closeIdleConnections(), 25);
        const cut = setTimeout(() => server.closeAllConnections(), graceMs);
        server.close(() => {
          clearInterval(sweep);
          clearTimeout(cut);
          resolve();
        });
        server.closeIdleConnections();
      });
      return closed;
    },
  };
}
