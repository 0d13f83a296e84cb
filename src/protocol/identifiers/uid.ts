/**
 * RFID UID as the project reads it (shared/protocol.md, "Identifiers"): hexadecimal, 8, 14 or 20
 * characters, upper case (4-, 7- and 10-byte ISO 14443 UIDs).
 */
export const UID_PATTERN = '^(?:[0-9A-F]{8}|[0-9A-F]{14}|[0-9A-F]{20})$';
const UID_RE = new RegExp(UID_PATTERN);
const UID_LENGTHS = [8, 14, 20] as const;

/** Whether a UID is in its normalized form. Example: `isUid('04A2B3C4') === true`. */
export function isUid(value: string): boolean {
  return UID_RE.test(value);
}

/**
 * Normalizes a UID: upper case, left-padded with zeros to the next valid length. Returns
 * undefined when it is not hexadecimal, empty, or longer than 20 characters.
 * Example: `normalizeUid('a2b3c4') === '00A2B3C4'`.
 */
export function normalizeUid(value: string): string | undefined {
  if (!/^[0-9A-Fa-f]{1,20}$/.test(value)) return undefined;
  const length = UID_LENGTHS.find((n) => n >= value.length)!;
  return value.toUpperCase().padStart(length, '0');
}
