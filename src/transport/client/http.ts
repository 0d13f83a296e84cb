/** One HTTP attempt over node:http(s): POST a JSON string, collect the answer, bounded by a timer. */
import http from 'node:http';
import https from 'node:https';
import { OioiClientError } from './errors.js';

export interface RawAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
}

export interface AttemptOptions {
  url: URL;
  /** The URL as shown in error messages (no credentials). */
  shownUrl: string;
  agent: http.Agent | false;
  headers: http.OutgoingHttpHeaders;
  body: string;
  timeoutMs: number;
  signal?: AbortSignal;
  ca?: string | Buffer | Array<string | Buffer>;
}

/**
 * Makes one request; rejects with OioiClientError `timeout`, `network` or `aborted`.
 * Example: `await attempt({ url, shownUrl, agent, headers, body: '{}', timeoutMs: 5000 })`.
 */
export function attempt(o: AttemptOptions): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    if (o.signal?.aborted) return reject(new OioiClientError('aborted', o.shownUrl, `request to ${o.shownUrl} aborted`, { cause: o.signal.reason }));
    const mod = o.url.protocol === 'https:' ? https : http;
    const options: https.RequestOptions = { method: 'POST', agent: o.agent, headers: o.headers };
    if (o.ca !== undefined && o.agent === false) options.ca = o.ca;
    let failure: OioiClientError | undefined;
    const fail = (e: OioiClientError) => {
      failure ??= e;
      req.destroy(failure);
    };
    const req = mod.request(o.url, options, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        done();
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text: (chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)).toString('utf8') });
      });
      res.on('error', onError);
    });
    // The timer covers the whole attempt: connecting, sending and reading the full answer.
    const timer = setTimeout(() => fail(new OioiClientError('timeout', o.shownUrl, `no answer from ${o.shownUrl} within ${o.timeoutMs} ms`)), o.timeoutMs);
    const onAbort = () => fail(new OioiClientError('aborted', o.shownUrl, `request to ${o.shownUrl} aborted`, { cause: o.signal?.reason }));
    o.signal?.addEventListener('abort', onAbort, { once: true });
    function done() {
      clearTimeout(timer);
      o.signal?.removeEventListener('abort', onAbort);
    }
    function onError(err: Error) {
      done();
      if (failure) return reject(failure);
      const code = (err as NodeJS.ErrnoException).code;
      reject(new OioiClientError('network', o.shownUrl, `cannot reach ${o.shownUrl}: ${code ? `${code} ` : ''}${err.message}`, { cause: err }));
    }
    req.on('error', onError);
    req.end(o.body);
  });
}

/** The URL without user info, for messages and logs. Example: `showUrl(new URL('http://u:p@h/x')) === 'http://h/x'`. */
export function showUrl(url: URL): string {
  if (!url.username && !url.password) return url.href;
  const copy = new URL(url.href);
  copy.username = '';
  copy.password = '';
  return copy.href;
}
