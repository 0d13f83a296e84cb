/**
 * The demo's two partners, created through the same service as `oioi partner add`. On a database
 * that already has them (`--db` given twice) they are reused, so the CPO's stations keep their
 * owner and hub ids; only their endpoints (new ports) and a fresh API key change.
 */
import { addAccount } from '../hub/authorization/accounts.js';
import { addKey, addPartner } from '../hub/partners/partner-service.js';
import { AccountConflictError } from '../storage/authorization.js';
import type { PartnerRecord, Storage } from '../storage/index.js';
import type { AddPartnerInput } from '../hub/partners/partner-service.js';
import type { Driver } from './oem.js';
import { generatePassword, hashPassword } from '../hub/dashboard/password.js';

export interface DemoPartner { partner: PartnerRecord; apiKey: string; partnerIdentifier: string }

/** Adds the partner, or refreshes the one of the same name. Example: `await ensurePartner(storage, { name: 'Demo CPO', roles: ['cpo'] })`. */
export async function ensurePartner(storage: Storage, input: AddPartnerInput & { endpoint: { url: string; apiKey: string } }): Promise<DemoPartner> {
  const existing = (await storage.partners.list()).find((p) => p.name === input.name);
  if (!existing) {
    const { partner, apiKey } = await addPartner(storage, input);
    return { partner, apiKey, partnerIdentifier: partner.partnerIdentifiers[0]! };
  }
  const updated = await storage.partners.update(existing.id, { endpoint: input.endpoint, ...(input.rfidAuth ? { rfidAuth: input.rfidAuth as PartnerRecord['rfidAuth'] } : {}) });
  const apiKey = await addKey(storage, existing.id);
  const partner = updated ?? existing;
  return { partner, apiKey, partnerIdentifier: partner.partnerIdentifiers[0]! };
}

/**
 * A driver account of the hub itself (the hub as an EMP, what `oioi account add` makes). Added
 * after the partners so the hub's whitelist push reaches the demo CPO. Resolves with why it could
 * not be added, or undefined; an account left by an earlier run on the same --db is fine.
 */
export async function ensureHubAccount(storage: Storage, driver: Driver): Promise<string | undefined> {
  try {
    await addAccount(storage, { evcoId: driver.evcoId, rfids: [driver.uid] });
    return undefined;
  } catch (err) {
    return err instanceof AccountConflictError ? undefined : (err as Error).message;
  }
}

/** The demo's dashboard login: name and the password of this run. */
export interface DemoOperator { name: string; password: string }

/**
 * The dashboard operator `demo` with a fresh password each run (an earlier run's on the same --db
 * is replaced: storage keeps only hashes, so the old one could not be shown).
 * Example: `const { name, password } = await ensureOperator(storage)`.
 */
export async function ensureOperator(storage: Storage, name = 'demo'): Promise<DemoOperator> {
  const password = generatePassword();
  const hash = await hashPassword(password);
  const existing = await storage.operators.byName(name);
  if (existing) await storage.operators.setPassword(existing.id, hash);
  else await storage.operators.add(name, hash);
  return { name, password };
}
