/** OioiClient: typed OIOI calls over a keep-alive agent, with bounded, jittered retries. */
import http from 'node:http';
import https from 'node:https';
import type { CallName, RequestOf } from '../../protocol/index.js';
import { backoffDelay, retryAfterMs, sleep, type RetryOptions } from './backoff.js';
import { isOioiClientError, OioiClientError } from './errors.js';
import { attempt, showUrl, type RawAnswer } from './http.js';
import { readAnswer, type SendResult } from './read.js';

export interface ClientOptions {
  /** The partner's full request URL, e.g. `https://api.example.com/api/v4/request`. */
  url: string | URL;
  apiKey: string;
  /** Per attempt, from connecting to the end of the answer (default 20000). */
  timeoutMs?: number;
  /** Default `{ retries: 3, minDelayMs: 200, maxDelayMs: 10000 }`; `false`: one attempt only. */
  retry?: Partial<RetryOptions> | false;
  /** CA certificates (PEM) to trust for https instead of Node's built-in list: a private or self-signed hub. */
  ca?: string | Buffer | Array<string | Buffer>;
  headers?: Record<string, string>;
  /** Most concurrent sockets to this partner (default 64). */
  maxSockets?: number;
}

export interface SendOptions {
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Check the answer against the call's response schema (default true; see SendResult). */
  validate?: boolean;
  /**
   * The payload's JSON when the caller already has it (the outbox stores it): sent as is instead
   * of serializing `payload` again. It must be the JSON of `payload`.
   */
  payloadJson?: string;
}

const defaultRetry: Required<RetryOptions> = { retries: 3, minDelayMs: 200, maxDelayMs: 10_000, maxRetryAfterMs: 60_000 };

/** Whether an answer's status may be retried (shared/protocol.md: 429 and 5xx only). */
function retryableStatus(status: number): boolean {
  return status === 429 || status >= 500;
}

/**
 * A client for one partner endpoint.
 * Example: `const c = new OioiClient({ url, apiKey }); const r = await c.send('connector-post-status', {...}); if (isSuccess(r.result.code)) …`.
 */
export class OioiClient {
  readonly url: string;
  private readonly target: URL;
  private readonly agent: http.Agent;
  private readonly headers: Readonly<Record<string, string>>;
  private readonly timeoutMs: number;
  private readonly retry: Required<RetryOptions> | undefined;

  constructor(options: ClientOptions) {
    const { url, apiKey, timeoutMs = 20_000, retry = {}, ca, headers = {}, maxSockets = 64 } = options;
    this.target = new URL(url);
    if (this.target.protocol !== 'http:' && this.target.protocol !== 'https:') throw new TypeError(`OioiClient: url must be http(s): ${this.target.href}`);
    if (typeof apiKey !== 'string' || apiKey === '') throw new TypeError('OioiClient: apiKey is required');
    if (!(timeoutMs > 0)) throw new TypeError('OioiClient: timeoutMs must be positive');
    this.url = showUrl(this.target);
    this.timeoutMs = timeoutMs;
    this.retry = retry === false ? undefined : Object.freeze({ ...defaultRetry, ...retry });
    this.headers = Object.freeze({ accept: 'application/json', ...headers, 'content-type': 'application/json', authorization: `key=${apiKey}` });
    const agentOptions: https.AgentOptions = { keepAlive: true, maxSockets, scheduling: 'lifo' };
    if (ca !== undefined) agentOptions.ca = ca;
    this.agent = this.target.protocol === 'https:' ? new https.Agent(agentOptions) : new http.Agent(agentOptions);
  }

  /**
   * Sends one call and resolves with the answer whatever its HTTP status (read `result.code`);
   * rejects with OioiClientError when no readable answer came after the allowed retries.
   * Example: `(await client.send('rfid-verify', { rfid: '0123ABCD' })).result.code === 0`.
   */
  async send<K extends CallName>(call: K, payload: RequestOf<K>, opts: SendOptions = {}): Promise<SendResult<K>> {
    const body = opts.payloadJson === undefined ? JSON.stringify({ [call]: payload }) : `{${JSON.stringify(call)}:${opts.payloadJson}}`;
    const headers = { ...this.headers, 'content-length': Buffer.byteLength(body) };
    const timeoutMs = opts.timeoutMs ?? this.timeoutMs;
    const retries = this.retry?.retries ?? 0;
    for (let n = 0; ; n++) {
      let answer: RawAnswer | undefined;
      let error: OioiClientError | undefined;
      try {
        answer = await attempt({ url: this.target, shownUrl: this.url, agent: this.agent, headers, body, timeoutMs, signal: opts.signal });
      } catch (err) {
        if (!isOioiClientError(err) || err.kind === 'aborted') throw err;
        error = err;
      }
      if (n < retries && (error || retryableStatus(answer!.status))) {
        await this.pause(n, answer, opts.signal);
        continue;
      }
      if (error) {
        error.attempts = n + 1;
        throw error;
      }
      return readAnswer(call, answer!, this.url, opts.validate !== false);
    }
  }

  /** Waits before retry `n`: the server's Retry-After when given (capped), else jittered back-off. */
  private async pause(n: number, answer: RawAnswer | undefined, signal: AbortSignal | undefined): Promise<void> {
    const r = this.retry!;
    const asked = answer ? retryAfterMs(answer.headers['retry-after']) : undefined;
    const ms = asked !== undefined ? Math.min(asked, r.maxRetryAfterMs) : backoffDelay(n, r);
    try {
      await sleep(ms, signal);
    } catch (reason) {
      throw new OioiClientError('aborted', this.url, `request to ${this.url} aborted`, { cause: reason });
    }
  }

  /** Closes every pooled socket. Example: `client.close()` when the partner is removed. */
  close(): void {
    this.agent.destroy();
  }
}
