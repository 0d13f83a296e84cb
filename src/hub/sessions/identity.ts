/** Comparing customers across calls: the same EVCO ID or UID however it was spelled. */
import { evcoPrefix, normalizeEvcoId, normalizeUid } from '../../protocol/index.js';
import type { PartnerRecord } from '../../storage/index.js';

/**
 * The comparison key of a `user` / reservation identifier: canonical EVCO ID, padded upper-case
 * UID, otherwise the identifier as sent. Example: `userKey('evco-id', 'de-8ps-123456-7') === 'DE*8PS*123456*7'`.
 */
export function userKey(type: string, identifier: string): string {
  if (type === 'evco-id') return normalizeEvcoId(identifier) ?? identifier.toUpperCase();
  if (type === 'rfid') return normalizeUid(identifier) ?? identifier.toUpperCase();
  return identifier;
}

/**
 * Whether a partner is the EMP that owns an EVCO ID by its prefix (shared/protocol.md, "Identifiers").
 * Example: `ownsEvco(emp, 'DE*8PS*123456*7')` is true when emp has prefix DE8PS.
 */
export function ownsEvco(partner: Pick<PartnerRecord, 'evcoPrefixes'> | undefined, evcoId: string): boolean {
  if (!partner) return false;
  const prefix = evcoPrefix(evcoId);
  return partner.evcoPrefixes.some((p) => p.toUpperCase() === prefix);
}

/** The `user` object as the hub forwards it: without `token`, which authenticates the user at the sender, not at the CPO. */
export function forwardedUser<T extends { 'identifier-type': string; identifier: string; token?: string }>(user: T): { 'identifier-type': T['identifier-type']; identifier: string } {
  return { 'identifier-type': user['identifier-type'], identifier: user.identifier };
}
