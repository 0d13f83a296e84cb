/**
 * The closed table of OIOI result codes (spec: docs/request.rst, "OIOI Response Codes").
 * A code's "family" is the more general code that must be accepted in its place:
 * 011 and 012 are successes like 000; 141..145 stand for 140; any 1xx stands for 100.
 */
export const resultCodes = {
  0: 'Success.',
  11: 'Successfully started a charging session.',
  12: 'Successfully authorized a charging session.',
  100: 'System error.',
  101: 'Database error.',
  102: 'System timeout.',
  140: 'Authentication failed: no positive authentication response.',
  141: 'Authentication failed: invalid email or password.',
  142: 'Authentication failed: invalid email.',
  143: 'Authentication failed: email already exists.',
  144: 'Authentication failed: email does not exist.',
  145: 'Authentication failed: user token not valid.',
  180: 'Entity not found.',
  181: 'EVSE not found.',
  182: 'Session not found.',
  183: 'Company not found.',
  184: 'Vehicle not found.',
  185: 'Subscription plan not found.',
  186: 'Group not found.',
  187: 'EVSE ID does not support direct pay.',
  188: 'EVSE ID does not support remote stop.',
  189: 'Reservation not found.',
  190: 'EVCO ID error.',
  191: 'EVCO ID not found.',
  192: 'EVCO ID locked.',
  193: 'EVCO ID has no valid payment method.',
  194: 'EVCO ID has another active reservation.',
  195: 'User already has an active rating subscription.',
  200: 'Client request error.',
  210: 'Invalid API key.',
  211: 'Invalid partner identifier.',
  220: 'API key not allowed to access the requested resource.',
  230: 'Invalid request format.',
  300: 'Operator system error.',
  302: 'Operator system timeout.',
  310: 'EVSE error.',
  312: 'EVSE timeout.',
  320: 'EVSE already in use.',
  321: 'No EV connected to EVSE.',
  322: 'Connector with the same EVSE ID but different latitude/longitude exists.',
  323: 'EVSE already reserved.',
  330: 'EVSE does not support reservation.',
  400: 'Hub system error.',
  402: 'Hub system timeout.',
  800: 'Payment provider system error.',
  802: 'Payment provider system timeout.',
  805: 'This user is not allowed to use this method.',
  830: 'Invalid format.',
  850: 'Invalid payment method.',
  860: 'Bank transfer error.',
  861: 'Bank account not valid.',
  862: 'Invalid name.',
  863: 'Invalid IBAN.',
  864: 'Invalid BIC.',
  870: 'Credit card error.',
  871: 'Credit card not valid.',
  872: 'Invalid card holder name.',
  874: 'Invalid credit card number.',
  875: 'Invalid expiration date.',
  876: 'Invalid CVC.',
  880: 'PayPal error.',
} as const;

/** A code listed in the spec's table. */
export type ResultCode = keyof typeof resultCodes;

/** Whether `code` is one of the spec's result codes. Example: `isKnownCode(181) === true`. */
export function isKnownCode(code: number): code is ResultCode {
  return Object.prototype.hasOwnProperty.call(resultCodes, code);
}

/** The default human message of a code. Example: `defaultMessage(181) === 'EVSE not found.'`. */
export function defaultMessage(code: number): string {
  return isKnownCode(code) ? resultCodes[code] : `Result code ${code}.`;
}

/**
 * Whether `actual` answers a check for `expected`: equal, or `expected` is the more general
 * code of `actual`'s family (x00 for its hundred, x{d}0 for its ten).
 * Example: `codeMatches(11, 0)`, `codeMatches(143, 140)`, `codeMatches(143, 100)` are all true;
 * `codeMatches(0, 11)` is false (the general code does not prove the specific one).
 */
export function codeMatches(actual: number, expected: number): boolean {
  if (actual === expected) return true;
  if (expected % 100 === 0) return Math.floor(actual / 100) === expected / 100;
  if (expected % 10 === 0) return Math.floor(actual / 10) === expected / 10;
  return false;
}

/** Whether a code means success (0, 11, 12: the 0xx family). Example: `isSuccess(12) === true`. */
export function isSuccess(code: number): boolean {
  return codeMatches(code, 0);
}

/**
 * Reads a result code as sent by any implementation: an integer, or a zero-padded string.
 * Returns undefined when it is neither. Example: `readCode('011') === 11`.
 */
export function readCode(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 999) return value;
  if (typeof value === 'string' && /^[0-9]{1,3}$/.test(value)) return Number(value);
  return undefined;
}
