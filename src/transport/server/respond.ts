/** Writing OIOI response bodies and mapping errors to HTTP status and result code. */
import type http from 'node:http';
import { defaultMessage, isOioiError } from '../../protocol/index.js';
import { RawJson } from './raw-json.js';

/** Where in the pipeline an error came from: the same code maps to different statuses. */
export type Stage = 'transport' | 'handler';

/**
 * An answer's body: text, bytes, or pieces of either written one after the other (an answer with
 * RawJson bytes, so that its largest part is not copied once more only to be joined).
 */
export type Body = string | Buffer | ReadonlyArray<string | Uint8Array>;

export interface Outcome {
  status: number;
  code: number;
  body: Body;
  retryAfter?: number;
}

const SUCCESS_BODY = '{"result":{"code":0,"message":"Success."}}';

/** The body `{"result":{...}}` of a bare result. Example: `resultBody(230, 'bad')`. */
export function resultBody(code: number, message: string): string {
  return `{"result":{"code":${code},"message":${JSON.stringify(message)}}}`;
}

/**
 * Serializes a handler's answer with `result` first and its defaults filled in; built as a string
 * so no merged copy of the handler's object is made. A RawJson value is written as it is.
 * Example: `handlerBody({ hasMore: false })` -> `{"result":{"code":0,"message":"Success."},"hasMore":false}`.
 */
export function handlerBody(answer: Record<string, unknown> | undefined | null): { code: number; body: Body } {
  if (answer == null) return { code: 0, body: SUCCESS_BODY };
  const r = answer.result as { code?: unknown; message?: unknown } | undefined;
  const code = r && typeof r.code === 'number' ? r.code : 0;
  const message = r && typeof r.message === 'string' ? r.message : defaultMessage(code);
  let body = code === 0 && message === 'Success.' ? SUCCESS_BODY.slice(0, -1) : resultBody(code, message).slice(0, -1);
  // Bytes of RawJson values, with the text between them: written as pieces, not joined (a surface
  // answer's 24 KB would be copied once more for nothing).
  let chunks: Array<string | Uint8Array> | undefined;
  for (const k in answer) {
    if (k === 'result') continue;
    const v = answer[k];
    if (v === undefined) continue;
    if (!(v instanceof RawJson)) body += `,${JSON.stringify(k)}:${JSON.stringify(v)}`;
    else if (typeof v.json === 'string') body += `,${JSON.stringify(k)}:${v.json}`;
    else {
      (chunks ??= []).push(`${body},${JSON.stringify(k)}:`, v.json);
      body = '';
    }
  }
  body += '}';
  if (!chunks) return { code, body };
  chunks.push(body);
  return { code, body: chunks };
}

/** The body as one text, for checks and tests. Example: `bodyText(['{"a":', Buffer.from('1'), '}']) === '{"a":1}'`. */
export function bodyText(body: Body): string {
  if (typeof body === 'string') return body;
  if (Buffer.isBuffer(body)) return body.toString('utf8');
  return Buffer.concat((body as ReadonlyArray<string | Uint8Array>).map((p) => (typeof p === 'string' ? Buffer.from(p) : p))).toString('utf8');
}

/** The body's length in bytes, for Content-Length. */
function byteLengthOf(body: Body): number {
  if (typeof body === 'string' || Buffer.isBuffer(body)) return Buffer.byteLength(body);
  let n = 0;
  for (const p of body as ReadonlyArray<string | Uint8Array>) n += typeof p === 'string' ? Buffer.byteLength(p) : p.byteLength;
  return n;
}

/**
 * The HTTP status of a coded error (shared/protocol.md's table). Request-shape and permission
 * codes keep their 4xx wherever they are raised. Other codes differ by stage: before the handler
 * any 1xx is a 500 and the rest a 400; from a handler they are business outcomes (200), except
 * 100/101, system errors (500).
 */
function statusOf(code: number, stage: Stage): number {
  switch (code) {
    case 200:
    case 230:
      return 400;
    case 210:
      return 401;
    case 211:
    case 220:
      return 403;
  }
  if (stage === 'handler') return code === 100 || code === 101 ? 500 : 200;
  return code >= 100 && code < 200 ? 500 : 400;
}

/**
 * Maps anything thrown to an outcome; `internal` is true when it was not an OioiError (log it).
 * Example: `errorOutcome(oioiError(181), 'handler')` -> status 200, code 181.
 */
export function errorOutcome(err: unknown, stage: Stage): Outcome & { internal: boolean } {
  if (isOioiError(err)) {
    const status = err.httpStatus ?? statusOf(err.code, stage);
    const out: Outcome & { internal: boolean } = { status, code: err.code, body: resultBody(err.code, err.message), internal: false };
    if (err.retryAfter !== undefined) out.retryAfter = err.retryAfter;
    else if (status === 503) out.retryAfter = 5; // the table promises Retry-After with every 503
    return out;
  }
  // No internals in the answer: the message is generic, details go to the log only.
  return { status: 500, code: 100, body: resultBody(100, 'System error.'), internal: true };
}

/** Writes a JSON answer with the request id (and Retry-After / Connection: close when asked). */
export function writeJson(res: http.ServerResponse, status: number, body: Body, requestId: string, extra?: { retryAfter?: number; close?: boolean; allow?: boolean }): void {
  const headers: http.OutgoingHttpHeaders = {
    'content-type': 'application/json; charset=utf-8',
    'content-length': byteLengthOf(body),
    'x-request-id': requestId,
  };
  if (extra) {
    if (extra.retryAfter !== undefined) headers['retry-after'] = String(Math.max(1, Math.ceil(extra.retryAfter)));
    if (extra.close) headers['connection'] = 'close';
    if (extra.allow) headers['allow'] = 'POST';
  }
  res.writeHead(status, headers);
  if (typeof body === 'string' || Buffer.isBuffer(body)) return void res.end(body);
  // The pieces of one answer leave in one socket write: node:http corks the socket from the first
  // write of a turn to the next tick.
  const parts = body as ReadonlyArray<string | Uint8Array>;
  for (let i = 0; i < parts.length - 1; i++) res.write(parts[i]!);
  res.end(parts[parts.length - 1]);
}
