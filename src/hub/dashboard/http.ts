/** Small HTTP helpers of the dashboard API: JSON answers, coded errors, JSON bodies. */
import type http from 'node:http';
import { OioiError } from '../../protocol/errors.js';
import { readBody } from '../../transport/server/body.js';

/** An error answered as `{"error": message}` with its HTTP status. Example: `throw new ApiError(404, 'no such station')`. */
export class ApiError extends Error {
  constructor(
    readonly status: 400 | 401 | 403 | 404 | 405 | 409 | 413 | 415,
    message: string,
  ) {
    super(message);
  }
}

/** Writes a JSON answer (never cached: it holds live data). */
export function sendJson(res: http.ServerResponse, status: number, body: unknown, headers: http.OutgoingHttpHeaders = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store', ...headers });
  res.end(text);
}

const BODY_LIMIT = 64 * 1024;

/** Reads a JSON object body (empty body: `{}`); 400/413/415 when it is not one. */
export async function readJson(req: http.IncomingMessage): Promise<Record<string, unknown>> {
  // The transport's reader: it stops keeping a too-large body without destroying the request, so
  // the 413 can still be answered (the caller then drains the rest: lingerAfterTooLarge).
  let raw: Buffer;
  try {
    raw = await readBody(req, BODY_LIMIT);
  } catch (err) {
    if (err instanceof OioiError && err.httpStatus === 413) throw new ApiError(413, `body larger than ${BODY_LIMIT} bytes`);
    throw err;
  }
  if (raw.length === 0) return {};
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/json') throw new ApiError(415, 'Content-Type must be application/json');
  let value: unknown;
  try {
    value = JSON.parse(raw.toString('utf8'));
  } catch {
    throw new ApiError(400, 'body is not valid JSON');
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new ApiError(400, 'body must be a JSON object');
  return value as Record<string, unknown>;
}

/** An optional string field; 400 naming the field when it has another type. */
export function optString(body: Record<string, unknown>, field: string): string | undefined {
  const v = body[field];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw new ApiError(400, `${field} must be a string`);
  return v;
}

/** An optional list of strings. */
export function optStrings(body: Record<string, unknown>, field: string): string[] | undefined {
  const v = body[field];
  if (v === undefined) return undefined;
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) throw new ApiError(400, `${field} must be a list of strings`);
  return v as string[];
}

/** A query parameter as a finite number, or 400. */
export function numberParam(params: URLSearchParams, name: string, { min = -Infinity, max = Infinity, required = true } = {}): number | undefined {
  const raw = params.get(name);
  if (raw === null || raw === '') {
    if (required) throw new ApiError(400, `${name} is required`);
    return undefined;
  }
  const n = Number(raw);
  if (!Number.isFinite(n) || n < min || n > max) throw new ApiError(400, `${name} must be a number between ${min} and ${max}`);
  return n;
}
