/** Writing OIOI response bodies and mapping errors to HTTP status and result code. */
import type http from 'node:http';
import { defaultMessage, isOioiError } from '../../protocol/index.js';
import { RawJson } from './raw-json.js';

/** Where in the pipeline an error came from: the same code maps to different statuses. */
export type Stage = 'transport' | 'handler';

export interface Outcome {
  status: number;
  code: number;
  body: string | Buffer;
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
export function handlerBody(answer: Record<string, unknown> | undefined | null): { code: number; body: string | Buffer } {
  if (answer == null) return { code: 0, body: SUCCESS_BODY };
  const r = answer.result as { code?: unknown; message?: unknown } | undefined;
  const code = r && typeof r.code === 'number' ? r.code : 0;
  const message = r && typeof r.message === 'string' ? r.message : defaultMessage(code);
  let body = code === 0 && message === 'Success.' ? SUCCESS_BODY.slice(0, -1) : resultBody(code, message).slice(0, -1);
  // Bytes of RawJson values, with the text between them; joined into one Buffer at the end.
  let chunks: Uint8Array[] | undefined;
  for (const k in answer) {
    if (k === 'result') continue;
    const v = answer[k];
    if (v === undefined) continue;
    if (!(v instanceof RawJson)) body += `,${JSON.stringify(k)}:${JSON.stringify(v)}`;
    else if (typeof v.json === 'string') body += `,${JSON.stringify(k)}:${v.json}`;
    else {
      (chunks ??= []).push(Buffer.from(`${body},${JSON.stringify(k)}:`), v.json);
      body = '';
    }
  }
  body += '}';
  if (!chunks) return { code, body };
  chunks.push(Buffer.from(body));
  return { code, body: Buffer.concat(chunks) };
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
export function writeJson(res: http.ServerResponse, status: number, body: string | Buffer, requestId: string, extra?: { retryAfter?: number; close?: boolean; allow?: boolean }): void {
  const headers: http.OutgoingHttpHeaders = {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    'x-request-id': requestId,
  };
  if (extra) {
    if (extra.retryAfter !== undefined) headers['retry-after'] = String(Math.max(1, Math.ceil(extra.retryAfter)));
    if (extra.close) headers['connection'] = 'close';
    if (extra.allow) headers['allow'] = 'POST';
  }
  res.writeHead(status, headers);
  res.end(body);
}
