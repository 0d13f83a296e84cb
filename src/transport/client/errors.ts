/** The one error type of the client: what went wrong, for which URL, after how many attempts. */

/**
 * - `timeout`: no complete answer within the per-attempt time-out;
 * - `network`: no connection, or it broke (refused, reset, DNS);
 * - `protocol`: an answer came but it is not an OIOI body with a readable result code;
 * - `aborted`: the caller's AbortSignal fired.
 */
export type ClientErrorKind = 'timeout' | 'network' | 'protocol' | 'aborted';

export class OioiClientError extends Error {
  readonly kind: ClientErrorKind;
  readonly url: string;
  /** HTTP status when an answer came (kind `protocol`). */
  readonly httpStatus?: number;
  /** Attempts made before giving up (set by the retrying client). */
  attempts?: number;

  constructor(kind: ClientErrorKind, url: string, message: string, options: { cause?: unknown; httpStatus?: number } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'OioiClientError';
    this.kind = kind;
    this.url = url;
    if (options.httpStatus !== undefined) this.httpStatus = options.httpStatus;
  }
}

/** Whether a value is an OioiClientError. Example: `if (isOioiClientError(e) && e.kind === 'timeout') …`. */
export function isOioiClientError(value: unknown): value is OioiClientError {
  return value instanceof OioiClientError || (value instanceof Error && value.name === 'OioiClientError' && typeof (value as OioiClientError).kind === 'string');
}
