/**
 * The OIOI server core (`oioi/server`): one POST endpoint, API-key authentication, dispatch by
 * call name to typed handlers, result codes and HTTP statuses as shared/protocol.md prescribes.
 */
export { createOioiServer } from './server.js';
export { RawJson } from './raw-json.js';
export { createLogger, isLogLevel, LOG_LEVELS, silentLogger, type Logger, type LogLevel, type RequestLine } from './logger.js';
export { checkInputLimits, defaultInputLimits, inputLimitsOf, type InputLimits } from './limits.js';
export { apiKeyOf, checkPartnerIdentifier, checkRole, defaultAuthorize } from './auth.js';
export type { Authenticate, Authorize, Handler, HandlerContext, HandlerResult, Handlers, OioiServer, Principal, ResponseInfo, ServerOptions } from './types.js';
