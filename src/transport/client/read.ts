/** Reading an answer body: the result code always, the call's schema leniently. */
import { isOioiError, parseResponse, readCode, type CallName, type ResponseOf } from '../../protocol/index.js';
import { OioiClientError } from './errors.js';
import type { RawAnswer } from './http.js';

/**
 * What `send` resolves with: the response body, the HTTP status, and `schemaError` when the body
 * did not pass the call's response schema (it is then returned as sent, with its result code
 * normalized to an integer: the code is never lost because a partner's payload is off-spec).
 */
export type SendResult<K extends CallName> = ResponseOf<K> & { httpStatus: number; schemaError?: string };

function snippet(text: string): string {
  const s = text.length > 200 ? `${text.slice(0, 200)}…` : text;
  return JSON.stringify(s);
}

/**
 * Turns a raw answer into a SendResult, or throws OioiClientError `protocol` when no result code
 * can be read. Example: `readAnswer('rfid-verify', raw, url, true).result.code`.
 */
export function readAnswer<K extends CallName>(call: K, answer: RawAnswer, shownUrl: string, validate: boolean): SendResult<K> {
  const { status, text } = answer;
  let body: any;
  try {
    body = JSON.parse(text);
  } catch {
    throw new OioiClientError('protocol', shownUrl, `answer from ${shownUrl} (HTTP ${status}) is not JSON: ${snippet(text)}`, { httpStatus: status });
  }
  const code = body !== null && typeof body === 'object' && !Array.isArray(body) && body.result !== null && typeof body.result === 'object' ? readCode(body.result.code) : undefined;
  if (code === undefined) {
    throw new OioiClientError('protocol', shownUrl, `answer from ${shownUrl} (HTTP ${status}) has no readable result code: ${snippet(text)}`, { httpStatus: status });
  }
  if (validate) {
    try {
      const parsed = parseResponse(call, body) as SendResult<K>;
      parsed.httpStatus = status;
      return parsed;
    } catch (err) {
      if (!isOioiError(err)) throw err;
      body.schemaError = err.message;
    }
  }
  body.result.code = code;
  if (typeof body.result.message !== 'string') body.result.message = body.result.message == null ? '' : String(body.result.message);
  body.httpStatus = status;
  return body as SendResult<K>;
}
