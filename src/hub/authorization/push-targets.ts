/**
 * Which CPOs receive the merged whitelist, and under which partner identifier the hub sends it.
 */
import type { WhitelistPush, WhitelistPushTarget } from '../../storage/authorization.js';
import type { PartnerRecord } from '../../storage/partners.js';

/**
 * CPO partners in `offline` RFID mode with an endpoint. The pushed `rfid-post` carries the CPO's
 * own (first) partner identifier: the one the hub issued to that CPO, which the CPO already knows
 * as "the hub", so its receiver can check it without learning a second identifier.
 * Example: `whitelistTargets(await storage.partners.list())`.
 */
export function whitelistTargets(partners: readonly PartnerRecord[]): WhitelistPushTarget[] {
  return partners
    .filter((p) => p.roles.includes('cpo') && p.rfidAuth === 'offline' && p.endpoint?.url && p.partnerIdentifiers.length > 0)
    .map((p) => ({ partnerId: p.id, partnerIdentifier: p.partnerIdentifiers[0]! }));
}

/** The push request a change hands to storage. Example: `whitelistPush(ctx.auth.partners(), Date.now())`. */
export function whitelistPush(partners: readonly PartnerRecord[], now: number): WhitelistPush {
  return { targets: whitelistTargets(partners), now };
}
