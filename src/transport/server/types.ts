/** The public types of the server core (other layers code against exactly these). */
import type http from 'node:http';
import type { CallName, RequestOf, ResponseOf, Role } from '../../protocol/index.js';
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
  logger?: Logger;
  /** Check every answer against the call's response schema; a breach is logged and answered 500/100. */
  validateResponses?: boolean;
  /** Token bucket per API key (`principal.keyId`); default off. */
  rateLimit?: { perSecond: number; burst: number } | false;
  /** Default 10 s. */
  headersTimeoutMs?: number;
  /** Default 30 s. */
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
