/** Keeping secrets out of text that reaches logs and operators (partners' error messages, mostly). */

/**
 * `text` with every occurrence of each secret replaced by `[redacted]`; short or empty secrets are
 * skipped (they would blank out ordinary words). A partner that echoes the key we presented in its
 * error message must not get that key written to our logs and the outbox's `last_error`.
 * Example: `withoutSecrets('bad key k-123456', 'k-123456') === 'bad key [redacted]'`.
 */
export function withoutSecrets(text: string, ...secrets: Array<string | undefined>): string {
  let out = text;
  for (const s of secrets) if (s && s.length >= 6 && out.includes(s)) out = out.split(s).join('[redacted]');
  return out;
}
