/** Creating partners and keys: the operations behind `oioi partner` and `oioi key`. */
import { generatePartnerIdentifier } from '../../protocol/identifiers/partner-identifier.js';
import { roles as allRoles, type Role } from '../../protocol/registry-types.js';
import type { PartnerRecord, RfidAuthMode, Storage } from '../../storage/index.js';
import { issueApiKey, parseApiKey } from './api-keys.js';

export interface AddPartnerInput {
  name: string;
  roles: string[];
  endpoint?: { url: string; apiKey: string };
  rfidAuth?: string;
  evcoPrefixes?: string[];
  receivesCdrs?: boolean;
  partnerIdentifier?: string;
}

/** A bad operator input, reported with the flag it concerns. */
export class PartnerInputError extends Error {
  override name = 'PartnerInputError';
}

/** Normalizes an EVCO prefix: `de*8ps` -> `DE8PS`; throws when it is not 2 letters + 3 alphanumerics. */
export function normalizeEvcoPrefix(value: string): string {
  const p = value.replace(/[*-]/g, '').toUpperCase();
  if (!/^[A-Z]{2}[A-Z0-9]{3}$/.test(p)) throw new PartnerInputError(`'${value}' is not an EVCO prefix (country code and provider id, e.g. DE8PS)`);
  return p;
}

/**
 * Adds a partner with one partner identifier and one API key.
 * Example: `const { partner, apiKey } = await addPartner(storage, { name: 'ACME', roles: ['cpo'] })`.
 */
export async function addPartner(storage: Storage, input: AddPartnerInput): Promise<{ partner: PartnerRecord; apiKey: string }> {
  const name = input.name.trim();
  if (!name) throw new PartnerInputError('--name must not be empty');
  const roles = [...new Set(input.roles.map((r) => r.trim().toLowerCase()).filter(Boolean))];
  if (roles.length === 0) throw new PartnerInputError(`--roles needs at least one of ${allRoles.join(',')}`);
  for (const r of roles) if (!allRoles.includes(r as Role)) throw new PartnerInputError(`unknown role '${r}' (roles: ${allRoles.join(',')})`);
  const rfidAuth = (input.rfidAuth ?? 'none') as RfidAuthMode;
  if (!['online', 'offline', 'none'].includes(rfidAuth)) throw new PartnerInputError(`--rfid-auth must be online, offline or none`);
  if (input.endpoint) {
    let u: URL;
    try {
      u = new URL(input.endpoint.url);
    } catch {
      throw new PartnerInputError(`--endpoint '${input.endpoint.url}' is not a URL`);
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new PartnerInputError('--endpoint must be an http or https URL');
  }
  if (input.partnerIdentifier !== undefined && input.partnerIdentifier.length < 16) throw new PartnerInputError('a partner identifier has at least 16 characters');
  const partner = await storage.partners.add({
    name,
    roles: roles as Role[],
    partnerIdentifiers: [input.partnerIdentifier ?? generatePartnerIdentifier()],
    evcoPrefixes: [...new Set((input.evcoPrefixes ?? []).filter(Boolean).map(normalizeEvcoPrefix))],
    rfidAuth,
    receivesCdrs: input.receivesCdrs ?? true,
    ...(input.endpoint ? { endpoint: input.endpoint } : {}),
  });
  const apiKey = await addKey(storage, partner.id);
  return { partner, apiKey };
}

/** Issues another API key for a partner; returns the key (shown once). */
export async function addKey(storage: Storage, partnerId: number): Promise<string> {
  if (!(await storage.partners.get(partnerId))) throw new PartnerInputError(`no partner with id ${partnerId}`);
  const k = issueApiKey();
  await storage.partners.addKey({ id: k.id, partnerId, secretHash: k.secretHash });
  return k.apiKey;
}

/** Revokes a key given in full (or by its id part); false when no active key matched. */
export async function revokeKey(storage: Storage, apiKeyOrId: string): Promise<boolean> {
  const id = parseApiKey(apiKeyOrId)?.id ?? apiKeyOrId;
  return storage.partners.revokeKey(id);
}
