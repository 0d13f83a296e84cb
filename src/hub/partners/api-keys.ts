/**
 * API keys the hub issues: `oioi_<id>_<secret>`. The id finds the key record; the secret is
 * stored only as a SHA-256 hash (keys carry 256 random bits, so a slow hash adds nothing) and
 * compared in constant time.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

const KEY_RE = /^oioi_([A-Za-z0-9]{16})_([A-Za-z0-9_-]{43})$/;

export interface IssuedKey {
  id: string;
  secretHash: string;
  /** The full key, to be shown once and never stored. */
  apiKey: string;
}

/** SHA-256 hex of a secret. */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

/** Makes a new key. Example: `const { apiKey, id, secretHash } = issueApiKey()`. */
export function issueApiKey(): IssuedKey {
  const id = randomBytes(12).toString('base64url').replace(/[-_]/g, 'x').slice(0, 16);
  const secret = randomBytes(32).toString('base64url');
  return { id, secretHash: hashSecret(secret), apiKey: `oioi_${id}_${secret}` };
}

/** Splits a presented key into id and secret; undefined when it is not of our form. */
export function parseApiKey(apiKey: string): { id: string; secret: string } | undefined {
  const m = KEY_RE.exec(apiKey);
  return m ? { id: m[1]!, secret: m[2]! } : undefined;
}

/** Constant-time comparison of a presented secret with a stored hash. */
export function secretMatches(secret: string, storedHash: string): boolean {
  const a = Buffer.from(hashSecret(secret), 'hex');
  const b = Buffer.from(storedHash, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}
