/**
 * EVCO ID (contract id). Two forms are accepted (shared/protocol.md, "Identifiers"):
 * the glossary's DIN SPEC 91286 form with a 6-character instance and a check character
 * (digit or X), and the ISO 15118 eMA ID form with a 9-character instance and an optional
 * check character. Separators `*` or `-` are optional.
 */
export const EVCO_ID_PATTERN =
  '^(?:[A-Za-z]{2}[*-]?[A-Za-z0-9]{3}[*-]?[A-Za-z0-9]{6}[*-]?[0-9Xx]|[A-Za-z]{2}[*-]?[A-Za-z0-9]{3}[*-]?[A-Za-z0-9]{9}(?:[*-]?[A-Za-z0-9])?)$';
const EVCO_ID_RE = new RegExp(EVCO_ID_PATTERN);

/** Whether a string is a well-formed EVCO ID. Example: `isEvcoId('DE*8PS*123456*7') === true`. */
export function isEvcoId(value: string): boolean {
  return EVCO_ID_RE.test(value);
}

/**
 * The EMP prefix of an EVCO ID (country code + provider id, upper case, no separators) by which
 * the hub routes. Example: `evcoPrefix('de-8ps-123456-7') === 'DE8PS'`.
 */
export function evcoPrefix(value: string): string {
  return value.replace(/[*-]/g, '').slice(0, 5).toUpperCase();
}
