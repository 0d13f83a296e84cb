import { defaultMessage } from './result-codes.js';

/** Extra, non-secret facts about an error (a JSON path, a hint). */
export type ErrorDetails = Record<string, unknown>;

/**
 * An error answered to a partner: an OIOI result code, a message for people, and optionally
 * the HTTP status to answer with (otherwise derived from the code by the server core).
 */
export class OioiError extends Error {
  readonly code: number;
  readonly details?: ErrorDetails;
  readonly httpStatus?: number;
  /** Seconds a client should wait before retrying (sent as Retry-After with 429/503). */
  readonly retryAfter?: number;

  constructor(code: number, message?: string, options: { details?: ErrorDetails; httpStatus?: number; retryAfter?: number } = {}) {
    super(message ?? defaultMessage(code));
    this.name = 'OioiError';
    this.code = code;
    if (options.details !== undefined) this.details = options.details;
    if (options.httpStatus !== undefined) this.httpStatus = options.httpStatus;
    if (options.retryAfter !== undefined) this.retryAfter = options.retryAfter;
  }
}

/**
 * The one factory for errors sent to partners.
 * Example: `throw oioiError(181, 'EVSE DE*8PS*E1 not found')`.
 */
export function oioiError(code: number, message?: string, details?: ErrorDetails): OioiError {
  return new OioiError(code, message, details === undefined ? {} : { details });
}

/** Whether a value is an OioiError (also across package copies). */
export function isOioiError(value: unknown): value is OioiError {
  return value instanceof OioiError || (value instanceof Error && value.name === 'OioiError' && typeof (value as OioiError).code === 'number');
}
