/** sendRaw: one POST of any JSON body, no retries, no schema (for `oioi send` and diagnostics). */
import type { OutgoingHttpHeaders } from 'node:http';
import { attempt, showUrl } from './http.js';

export interface RawOptions {
  timeoutMs?: number;
  signal?: AbortSignal;
  /** CA certificates (PEM) to trust for https instead of Node's built-in list (`oioi send --ca`). */
  ca?: string | Buffer | Array<string | Buffer>;
  headers?: Record<string, string>;
}

export interface RawResult {
  status: number;
  /** The parsed JSON answer, or undefined when it is not JSON (see `text`). */
  body: unknown;
  text: string;
  headers: Record<string, string | string[] | undefined>;
}

/**
 * Sends `body` (any JSON value, or a string sent as is) once, on a fresh connection.
 * Rejects with OioiClientError `timeout`/`network` when no answer came.
 * Example: `const { status, body } = await sendRaw(url, key, { 'connector-post-status': {...} })`.
 */
export async function sendRaw(url: string | URL, apiKey: string, body: unknown, opts: RawOptions = {}): Promise<RawResult> {
  const target = new URL(url);
  const data = typeof body === 'string' ? body : JSON.stringify(body);
  const headers: OutgoingHttpHeaders = {
    accept: 'application/json',
    ...opts.headers,
    'content-type': 'application/json',
    authorization: `key=${apiKey}`,
    'content-length': Buffer.byteLength(data),
  };
  const answer = await attempt({ url: target, shownUrl: showUrl(target), agent: false, headers, body: data, timeoutMs: opts.timeoutMs ?? 20_000, signal: opts.signal, ca: opts.ca });
  let parsed: unknown;
  try {
    parsed = JSON.parse(answer.text);
  } catch {
    parsed = undefined;
  }
  return { status: answer.status, body: parsed, text: answer.text, headers: answer.headers };
}
