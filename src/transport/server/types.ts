/** The public types of the server core (other layers code against exactly these). */
import type http from 'node:http';
import type { CallName, RequestOf, ResponseOf, Role } from '../../protocol/index.js';
import type { InputLimits } from './limits.js';
import type { Logger } from './logger.js';

/** Who sent a request: the partner behind the API key. */
export interface Principal {
  partnerId: string;
  name: string;
  roles: readonly Role[];
  partnerIdentifiers: readonly string[];
  /** A stable, non-secret id of the key (rate limiting, logs); never the key itself. */
  keyId: string;
}

/** Looks up an API key; undefined when unknown or revoked (answered 401/210). */
export type Authenticate = (apiKey: string) => Principal | undefined | Promise<Principal | undefined>;

export interface HandlerContext {
  principal: Principal;
  requestId: string;
  call: CallName;
  log: Logger;
}

/** A handler's answer: the response body, with `result` optional (defaults to code 0). */
export type HandlerResult<K extends CallName> = Omit<ResponseOf<K>, 'result'> & { result?: { code: number; message?: string } };
export type Handler<K extends CallName> = (payload: RequestOf<K>, ctx: HandlerContext) => HandlerResult<K> | Promise<HandlerResult<K>>;
export type Handlers = { [K in CallName]?: Handler<K> };

/** Decides whether a principal may send a call; throws an OioiError (220, 211) when not. */
export type Authorize = (principal: Principal, call: CallName, payload: any) => void;

/** One answered OIOI request, as `onResponse` sees it. */
export interface ResponseInfo {
  requestId: string;
  /** The call name, when the body got that far. */
  call?: string;
  /** The authenticated sender, when there was one. */
  partnerId?: string;
  partnerName?: string;
  status: number;
  code: number;
  latencyMs: number;
}

export interface ServerOptions {
  /** The one request path (default `/api/v4/request`). */
  path?: string;
  authenticate: Authenticate;
  handlers: Handlers;
  /**
   * Replaces the default checks (registry roles -> 220, partner-identifier -> 211). A custom hook
   * runs once, after schema validation, with the validated payload; the default one checks roles
   * before the schema and the partner identifier after it (shared/protocol.md's order).
   */
  authorize?: Authorize;
  /**
   * Largest accepted body in bytes (default 1 MiB); larger: 413/230. A function decides per
   * authenticated sender (the body is read after authentication), so a hub can let EMPs post
   * whitelists of a million UIDs while keeping everyone else to 1 MiB.
   */
  bodyLimit?: number | ((principal: Principal) => number);
  /**
   * Shape limits of the parsed body, checked before the schema: nesting depth (32), string
   * length (16384), array items (10000), object keys (1000); a breach is 400/230. A function
   * decides per sender and must return complete limits (build them once with `inputLimitsOf`).
   */
  inputLimits?: Partial<InputLimits> | ((principal: Principal) => Readonly<InputLimits>);
  logger?: Logger;
  /** Check every answer against the call's response schema; a breach is logged and answered 500/100. */
  validateResponses?: boolean;
  /**
   * Answers requests for paths other than the OIOI path (a dashboard, a health check): resolves
   * true when it answered, false to let the server answer 404 as usual.
   */
  fallback?: (req: http.IncomingMessage, res: http.ServerResponse) => boolean | Promise<boolean>;
  /** Told about every answer on the OIOI path, after it was written; holds nothing secret (no body, no key). */
  onResponse?: (info: ResponseInfo) => void;
  /** Token bucket per API key (`principal.keyId`); default off. */
  rateLimit?: { perSecond: number; burst: number } | false;
  /**
   * Time a client has to send all request headers; then the socket is closed (default 10 s). For
   * the first request of a connection it counts from connecting, so idle sockets are closed too.
   */
  headersTimeoutMs?: number;
  /** Time a client has to send the whole request, body included; then 408 and close (default 30 s). */
  requestTimeoutMs?: number;
  /** Default 15 s: longer than most clients' idle socket time-outs, so they close first. */
  keepAliveTimeoutMs?: number;
  tls?: { cert: string | Buffer; key: string | Buffer };
}

export interface OioiServer {
  readonly server: http.Server;
  /** Starts listening; resolves with the full request URL. Example: `await s.listen(0, '127.0.0.1')`. */
  listen(port?: number, host?: string): Promise<string>;
  /** Stops accepting, lets in-flight requests finish (up to graceMs, default 10 s), closes idle sockets. */
  close(graceMs?: number): Promise<void>;
  readonly url: string | undefined;
}
