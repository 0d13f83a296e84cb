/**
 * EVSE ID (connector id), as the spec's glossary defines it (docs/glossary.rst, "EVSE"):
 * country code, optional `*`, three-character operator id, optional `*`, `E`, then 1..30
 * letters, digits or `*`. The `E` may be lower case: the project compares EVSE IDs
 * case-insensitively (shared/protocol.md), so `de8pse123` names the same EVSE as `DE*8PS*E123`.
 */
export const EVSE_ID_PATTERN = '^[A-Za-z]{2}\\*?[A-Za-z0-9]{3}\\*?[Ee][A-Za-z0-9*]{1,30}$';
const EVSE_ID_RE = new RegExp(EVSE_ID_PATTERN);

/** Whether a string is a well-formed EVSE ID. Example: `isEvseId('DE*8PS*E123') === true`. */
export function isEvseId(value: string): boolean {
  return EVSE_ID_RE.test(value);
}

/**
 * The comparison key of an EVSE ID: upper case, `*` removed, so that `DE*8PS*E123` and
 * `de8pse123` name the same EVSE. Example: `evseKey('de*8ps*e1') === 'DE8PSE1'`.
 */
export function evseKey(value: string): string {
  return value.toUpperCase().replace(/\*/g, '');
}
