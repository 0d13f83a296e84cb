/** The OIOI client (`oioi/client`): typed calls with retries, and a raw one-shot sender. */
export { OioiClient, type ClientOptions, type SendOptions } from './client.js';
export { sendRaw, type RawOptions, type RawResult } from './raw.js';
export { OioiClientError, isOioiClientError, type ClientErrorKind } from './errors.js';
export { backoffDelay, retryAfterMs, type RetryOptions } from './backoff.js';
export type { SendResult } from './read.js';
