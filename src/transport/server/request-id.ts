/** The request id: the caller's `X-Request-Id` when it is sane, else a fresh one. */
import type http from 'node:http';
import { randomBytes } from 'node:crypto';

// Printable ASCII without spaces, at most 128: safe to echo in a header and a log line.
const SANE = /^[\x21-\x7e]{1,128}$/;

// A random per-process prefix plus a counter: unique across restarts and replicas for practical
// purposes, and far cheaper than a UUID per request on the hot path.
const prefix = randomBytes(6).toString('hex');
let seq = 0;

/** Example: `requestIdOf(req)` -> the header value, or `'9f2c…-1a'`. */
export function requestIdOf(req: http.IncomingMessage): string {
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && SANE.test(given) ? given : `${prefix}-${(++seq).toString(36)}`;
}
