/**
 * The hub's own driver accounts (the hub acting as an EMP): checked input, canonical EVCO IDs,
 * normalized UIDs, and a whitelist push to offline-mode CPOs when the merged list changes.
 */
import { isEvcoId, normalizeEvcoId, verifyEvcoCheckDigit } from '../../protocol/identifiers/evco-id.js';
import { normalizeUid } from '../../protocol/identifiers/uid.js';
import type { AccountRecord } from '../../storage/authorization.js';
import type { Storage } from '../../storage/types.js';
import { whitelistPush } from './push-targets.js';

/** Input an operator got wrong (bad EVCO ID or UID); the CLI shows the message. */
export class AccountInputError extends Error {
  override name = 'AccountInputError';
}

export interface AccountInput {
  evcoId: string;
  rfids: string[];
  locked?: boolean;
  hasPayment?: boolean;
}

/**
 * The canonical EVCO ID, and a warning when its check digit is wrong (reported, not rejected:
 * shared/protocol.md). Example: `checkEvcoId('de-8ps-156456730-9').evcoId === 'DE*8PS*156456730*9'`.
 */
export function checkEvcoId(value: string): { evcoId: string; warning?: string } {
  if (!isEvcoId(value)) throw new AccountInputError(`'${value}' is not a valid EVCO ID (e.g. DE*8PS*156456730*9)`);
  const evcoId = normalizeEvcoId(value)!;
  return verifyEvcoCheckDigit(evcoId) === 'invalid' ? { evcoId, warning: `EVCO ID ${evcoId} has a wrong check digit` } : { evcoId };
}

/** Normalized UIDs, or an AccountInputError naming the first bad one. Example: `checkUids(['a2b3c4'])` gives `['00A2B3C4']`. */
export function checkUids(values: readonly string[]): string[] {
  if (values.length === 0) throw new AccountInputError('an account needs at least one RFID UID');
  return values.map((v) => {
    const uid = normalizeUid(v.trim());
    if (!uid) throw new AccountInputError(`'${v}' is not a valid RFID UID (hexadecimal, at most 20 characters)`);
    return uid;
  });
}

/**
 * Adds an account; pushes the merged whitelist when it is active. Throws AccountInputError or the
 * storage's AccountConflictError. Example: `await addAccount(storage, { evcoId: 'DE*8PS*156456730*9', rfids: ['04A2B3C4'] })`.
 */
export async function addAccount(storage: Storage, input: AccountInput, now = Date.now()): Promise<{ account: AccountRecord; warnings: string[] }> {
  const { evcoId, warning } = checkEvcoId(input.evcoId);
  const rfids = checkUids(input.rfids);
  const push = whitelistPush(await storage.partners.list(), now);
  const account = await storage.authorization.addAccount({ evcoId, rfids, locked: input.locked ?? false, hasPayment: input.hasPayment ?? true }, push);
  return { account, warnings: warning ? [warning] : [] };
}

/**
 * Locks or unlocks an account by EVCO ID (any spelling); undefined when there is none.
 * Example: `await setAccountLocked(storage, 'DE-8PS-156456730-9', true)`.
 */
export async function setAccountLocked(storage: Storage, evcoId: string, locked: boolean, now = Date.now()): Promise<AccountRecord | undefined> {
  const canonical = checkEvcoId(evcoId).evcoId;
  return storage.authorization.setAccountLocked(canonical, locked, whitelistPush(await storage.partners.list(), now));
}
