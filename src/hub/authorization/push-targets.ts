/**
 * Which CPOs receive the merged whitelist, and under which partner identifier the hub sends it.
 */
import type { WhitelistPush, WhitelistPushTarget } from '../../storage/authorization.js';
import type { PartnerRecord } from '../../storage/partners.js';
import type { Storage } from '../../storage/types.js';

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

/**
 * Sends the merged whitelist to a partner that has just become a push target (added as an
 * offline-mode CPO, switched to offline, or given a new endpoint): otherwise it would learn the
 * list only at the next change. `before` is undefined for a new partner. Returns the outbox ids.
 * Example: `await pushToNewTarget(storage, old, updated, Date.now())`.
 */
export async function pushToNewTarget(storage: Storage, before: PartnerRecord | undefined, after: PartnerRecord, now: number): Promise<number[]> {
  const targets = whitelistTargets([after]);
  if (targets.length === 0) return [];
  if (before && whitelistTargets([before]).length > 0 && before.endpoint?.url === after.endpoint?.url) return [];
  return storage.authorization.pushWhitelist({ targets, now });
}

/** The push request a change hands to storage. Example: `whitelistPush(ctx.auth.partners(), Date.now())`. */
export function whitelistPush(partners: readonly PartnerRecord[], now: number): WhitelistPush {
  return { targets: whitelistTargets(partners), now };
}
