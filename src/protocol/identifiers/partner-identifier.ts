/**
 * Partner identifier: an opaque string naming the partner a call acts for (spec:
 * docs/glossary.rst, "Partner Identifier": random, hard to guess, at least 16 characters).
 * The wire schema accepts shorter ones because the spec's own examples use them; this predicate
 * is for identifiers the hub issues or registers.
 */
import { randomBytes } from 'node:crypto';

/** The glossary's minimum length. */
export const PARTNER_IDENTIFIER_MIN_LENGTH = 16;
/** Length of the identifiers the hub generates. */
export const PARTNER_IDENTIFIER_LENGTH = 32;

/**
 * Whether a string is an acceptable partner identifier: at least 16 characters, printable ASCII
 * without spaces. Example: `isPartnerIdentifier('4uTmgkNqKaKCBNQ7lLyf2vLo') === true`.
 */
export function isPartnerIdentifier(value: string): boolean {
  return value.length >= PARTNER_IDENTIFIER_MIN_LENGTH && /^[\x21-\x7e]+$/.test(value);
}

/**
 * A fresh partner identifier: 32 URL-safe characters (base64url of 24 random bytes, 192 bits),
 * never beginning with '-'. Operators paste it into command lines (`oioi cpo --partner-identifier
 * PID`), where a leading dash reads as an option; one draw in 64 would start with one, so such
 * draws are thrown away.
 * Example: `generatePartnerIdentifier()` gives something like `'q3Zr0n-8cV1lW5m_TfYgKxB2pHs7dJeA'`.
 */
export function generatePartnerIdentifier(): string {
  for (;;) {
    const id = randomBytes((PARTNER_IDENTIFIER_LENGTH * 3) / 4).toString('base64url');
    if (id[0] !== '-') return id;
  }
}
