/**
 * The per-request pipeline, in shared/protocol.md's order: path/method -> content type -> auth ->
 * rate limit -> body -> call -> role -> schema -> partner identifier -> handler.
 */
import type http from 'node:http';
import { performance } from 'node:perf_hooks';
import { callDefinition, OioiError, validate, type CallName } from '../../protocol/index.js';
import { apiKeyOf, checkPartnerIdentifier, checkRole } from './auth.js';
import { drainable, lingerAfterTooLarge, readBody } from './body.js';
import { checkInputLimits, mayHoldSurrogates, type InputLimits } from './limits.js';
import type { Logger } from './logger.js';
import type { RateLimiter } from './rate-limit.js';
import { requestIdOf } from './request-id.js';
import { bodyText, errorOutcome, handlerBody, resultBody, writeJson, type Body, type Stage } from './respond.js';
import type { Authenticate, Authorize, Handler, Handlers, HandlerContext, Principal, ResponseInfo } from './types.js';

export interface DispatchConfig {
  path: string;
  authenticate: Authenticate;
  handlers: Handlers;
  authorize: Authorize | undefined;
  bodyLimit: number | ((principal: Principal) => number);
  /** Shape limits of the parsed body (depth, strings, arrays, keys), fixed or per sender. */
  inputLimits: Readonly<InputLimits> | ((principal: Principal) => Readonly<InputLimits>);
  logger: Logger;
  limiter: RateLimiter | undefined;
  /** Check every answer against the call's response schema (tests, staging); off in production. */
  validateResponses?: boolean;
  /** Answers other paths; false: 404 (see ServerOptions.fallback). */
  fallback?: ((req: http.IncomingMessage, res: http.ServerResponse) => boolean | Promise<boolean>) | undefined;
  /** Told about every answer on the OIOI path (see ServerOptions.onResponse). */
  onResponse?: ((info: ResponseInfo) => void) | undefined;
  /** Read on every answer: once the server is closing, keep-alive sockets are told to close. */
  isClosing: () => boolean;
}

// Shared, stateless decoder: `fatal` turns invalid UTF-8 into a 230 instead of silent U+FFFD.
const utf8 = new TextDecoder('utf-8', { fatal: true });

function isJsonContentType(ct: string | undefined): boolean {
  if (ct === undefined) return false;
  if (ct === 'application/json') return true;
  const semi = ct.indexOf(';');
  return (semi < 0 ? ct : ct.slice(0, semi)).trim().toLowerCase() === 'application/json';
}

function isOurPath(url: string | undefined, path: string): boolean {
  if (url === path) return true;
  return url !== undefined && url.startsWith(path) && url.charCodeAt(path.length) === 63 /* ? */;
}

/** The one call key of a body, or a 230 naming what is wrong with the shape. */
function callKeyOf(value: unknown): string {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new OioiError(230, 'body must be one JSON object');
  let key: string | undefined;
  let n = 0;
  for (const k in value) {
    if (n++ === 0) key = k;
  }
  if (n === 0) throw new OioiError(230, 'body holds no call key');
  if (n > 1) throw new OioiError(230, `body must hold exactly one call key, found ${n}`);
  return key!;
}

/**
 * Builds the node:http request listener. Example: `http.createServer(createRequestListener(cfg))`.
 */
export function createRequestListener(cfg: DispatchConfig): (req: http.IncomingMessage, res: http.ServerResponse) => void {
  const { path, authenticate, handlers, authorize, bodyLimit, inputLimits, logger, limiter, isClosing } = cfg;
  const notFound = resultBody(200, `no such path; send POST ${path}`);
  const notAllowed = resultBody(200, 'only POST is allowed');
  const badType = resultBody(230, 'Content-Type must be application/json');

  async function handle(req: http.IncomingMessage, res: http.ServerResponse, requestId: string, log: { call?: string; partner?: string; partnerId?: string }): Promise<{ status: number; code: number } | undefined> {
    let stage: Stage = 'transport';
    let limit = 0;
    try {
      if (!isOurPath(req.url, path)) {
        // Another path's own answer is not an OIOI request: neither logged nor reported here.
        if (cfg.fallback && (await cfg.fallback(req, res))) return undefined;
        return reply(res, requestId, 404, 200, notFound);
      }
      if (req.method !== 'POST') return reply(res, requestId, 405, 200, notAllowed, { allow: true });
      if (!isJsonContentType(req.headers['content-type'])) return reply(res, requestId, 415, 230, badType);

      const key = apiKeyOf(req.headers.authorization);
      if (key === undefined) throw new OioiError(210, 'missing or malformed Authorization header (expected "key=<api-key>")', { httpStatus: 401 });
      const found = authenticate(key);
      const principal: Principal | undefined = found instanceof Promise ? await found : found;
      if (principal === undefined) throw new OioiError(210, 'unknown or revoked API key', { httpStatus: 401 });
      log.partner = principal.name;
      log.partnerId = principal.partnerId;

      if (limiter) {
        const wait = limiter.take(principal.keyId);
        if (wait > 0) throw new OioiError(200, 'rate limit exceeded', { httpStatus: 429, retryAfter: wait });
      }

      limit = typeof bodyLimit === 'number' ? bodyLimit : bodyLimit(principal);
      const raw = await readBody(req, limit);
      let value: unknown;
      try {
        value = JSON.parse(utf8.decode(raw));
      } catch {
        throw new OioiError(230, 'body is not valid UTF-8 JSON');
      }
      checkInputLimits(value, typeof inputLimits === 'function' ? inputLimits(principal) : inputLimits, mayHoldSurrogates(raw));
      const call = callKeyOf(value) as CallName;
      const def = callDefinition(call);
      if (!def) throw new OioiError(200, `unknown call '${call.slice(0, 64)}'`);
      log.call = call;
      const handler = handlers[call] as Handler<CallName> | undefined;
      if (!handler) throw new OioiError(200, `call ${call} is not served here`);
      if (!authorize) checkRole(principal, call);

      // The payload is freshly parsed and ours alone, so normalizing in place needs no copy.
      let payload: any = (value as Record<string, unknown>)[call];
      if (def.normalizeRequest && payload !== null && typeof payload === 'object' && !Array.isArray(payload)) payload = def.normalizeRequest(payload);
      validate(def.request, payload, call);
      if (authorize) authorize(principal, call, payload);
      else checkPartnerIdentifier(principal, call, payload);

      stage = 'handler';
      const ctx: HandlerContext = { principal, requestId, call, log: logger };
      const pending = handler(payload, ctx);
      const answer = pending instanceof Promise ? await pending : pending;
      const out = handlerBody(answer as Record<string, unknown>);
      if (cfg.validateResponses) {
        try {
          validate(def.response, JSON.parse(bodyText(out.body)), `${call} response`);
        } catch (schemaError) {
          // A handler broke the contract: a bug of ours, never shown to the partner as success.
          throw new Error(`handler answer breaks the response schema: ${(schemaError as Error).message}`);
        }
      }
      return reply(res, requestId, 200, out.code, out.body);
    } catch (err) {
      const out = errorOutcome(err, stage);
      if (out.internal) {
        const e = err as Error | undefined;
        logger.error({ requestId, call: log.call, partner: log.partner, msg: 'unexpected error', error: String(e?.message ?? e), stack: e?.stack });
      }
      // After a too-large body its rest is still on the wire. Answer at once, then read and drop a
      // bounded rest (body.ts, DRAIN) so that the sender reads the 413 rather than a reset; cut the
      // connection when the rest is longer or slower than that, or declared to be.
      const tooLarge = out.status === 413;
      const linger = tooLarge && drainable(req, limit);
      const close = tooLarge && !linger;
      if (close) req.pause();
      const extra = out.retryAfter !== undefined || close ? { retryAfter: out.retryAfter, close } : undefined;
      const answered = reply(res, requestId, out.status, out.code, out.body, extra);
      if (linger) lingerAfterTooLarge(req);
      return answered;
    }
  }

  function reply(res: http.ServerResponse, requestId: string, status: number, code: number, body: Body, extra?: { retryAfter?: number; close?: boolean; allow?: boolean }): { status: number; code: number } {
    if (isClosing()) extra = { ...extra, close: true };
    if (!res.headersSent && !res.destroyed) writeJson(res, status, body, requestId, extra);
    return { status, code };
  }

  return (req, res) => {
    const start = performance.now();
    const requestId = requestIdOf(req);
    const log: { call?: string; partner?: string; partnerId?: string } = {};
    handle(req, res, requestId, log).then(
      (answered) => {
        if (!answered) return;
        const { status, code } = answered;
        // Never the key, the Authorization header or the body: they may hold secrets.
        const ms = Math.round((performance.now() - start) * 100) / 100;
        const line = { requestId, call: log.call, partner: log.partner, status, code, ms };
        if (logger.request) logger.request(line);
        else if (status >= 500) logger.error(line);
        else logger.info(line);
        if (cfg.onResponse) {
          try {
            cfg.onResponse({ requestId, call: log.call, partnerId: log.partnerId, partnerName: log.partner, status, code, latencyMs: ms });
          } catch (err) {
            logger.error({ requestId, msg: 'onResponse failed', error: String((err as Error)?.message ?? err) });
          }
        }
      },
      (err) => logger.error({ requestId, msg: 'failed to answer', error: String((err as Error)?.message ?? err) }),
    );
  };
}
