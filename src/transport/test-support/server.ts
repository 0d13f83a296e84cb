/** Test support for the transport tests: a plain node:http POST and a CPO test server. Not shipped API. */
import http from 'node:http';
import { OioiError, oioiError } from '../../protocol/index.js';
import { createLogger } from '../server/logger.js';
import { createOioiServer } from '../server/server.js';
import type { Principal, ServerOptions } from '../server/types.js';

export const cpoPrincipal: Principal = Object.freeze({ partnerId: 'p1', name: 'CPO One', roles: ['cpo'] as const, partnerIdentifiers: ['pid-cpo-0000000001'], keyId: 'k1' });
export const empPrincipal: Principal = Object.freeze({ partnerId: 'p2', name: 'EMP Two', roles: ['emp'] as const, partnerIdentifiers: ['pid-emp-0000000002'], keyId: 'k2' });
export const keys: Record<string, Principal> = { 'secret-cpo-key-123': cpoPrincipal, 'secret-emp-key-456': empPrincipal };
export const CPO_KEY = 'secret-cpo-key-123';

/** A valid connector-post-status payload; `connector-id` selects the test handler's behaviour. */
export function aStatus(over: Record<string, unknown> = {}) {
  return { 'connector-id': 'DE*8PS*E123', status: 'Available', 'partner-identifier': 'pid-cpo-0000000001', ...over };
}

/** Starts a server on 127.0.0.1:0 with a connector-post-status handler; logs are captured. */
export async function startTestServer(extra: Partial<ServerOptions> = {}) {
  const lines: string[] = [];
  const logger = createLogger({ level: 'info', stream: { write: (s: string) => lines.push(s) } });
  const s = createOioiServer({
    authenticate: (k) => keys[k],
    logger,
    handlers: {
      'connector-post-status': async (p) => {
        const id = p['connector-id'];
        if (id === 'DE*8PS*E181') throw oioiError(181, 'EVSE not found');
        if (id === 'DE*8PS*EBOOM') throw new Error('secret internals at /srv/db.sqlite');
        if (id === 'DE*8PS*E503') throw new OioiError(100, 'storage unavailable', { httpStatus: 503, retryAfter: 7 });
        if (id === 'DE*8PS*ESLOW') await new Promise((r) => setTimeout(r, 300));
        return {};
      },
    },
    ...extra,
  });
  const url = await s.listen(0, '127.0.0.1');
  return { s, url, lines };
}

export interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  json: any;
}

/** POSTs (or any method) with exact control over headers and body. Example: `await post(url, {a:1})`. */
export function post(url: string, body: unknown, headers: Record<string, string> = {}, method = 'POST'): Promise<Answer> {
  const data = typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, agent: false, headers: { 'content-type': 'application/json', authorization: `key=${CPO_KEY}`, ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: any;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(data);
  });
}
