/** Creating and changing partners and keys: the operations behind `oioi partner`, `oioi key` and the dashboard. */
import { generatePartnerIdentifier } from '../../protocol/identifiers/partner-identifier.js';
import { roles as allRoles, type Role } from '../../protocol/registry-types.js';
import type { NewPartner, PartnerRecord, RfidAuthMode, Storage } from '../../storage/index.js';
import { pushToNewTarget } from '../authorization/push-targets.js';
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
 * A partner as operators see it (CLI and dashboard): never the endpoint key.
 * Example: `{ ...publicPartnerView(p), createdAt: p.createdAt }`.
 */
export function publicPartnerView(p: PartnerRecord) {
  return {
    id: p.id,
    name: p.name,
    roles: p.roles,
    partnerIdentifiers: p.partnerIdentifiers,
    evcoPrefixes: p.evcoPrefixes,
    endpoint: p.endpoint?.url ?? null,
    rfidAuth: p.rfidAuth,
    receivesCdrs: p.receivesCdrs,
  };
}

/** Throws unless `url` is an http(s) URL. */
function checkEndpointUrl(url: string): void {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new PartnerInputError(`--endpoint '${url}' is not a URL`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new PartnerInputError('--endpoint must be an http or https URL');
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
  if (input.endpoint) checkEndpointUrl(input.endpoint.url);
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
  await pushToNewTarget(storage, undefined, partner, Date.now());
  return { partner, apiKey };
}

export interface UpdatePartnerInput {
  name?: string;
  /** A new endpoint; `null` removes it. A new URL without `apiKey` keeps the current key. */
  endpoint?: { url: string; apiKey?: string } | null;
  /** A new key for the current endpoint. */
  endpointKey?: string;
  rfidAuth?: string;
  evcoPrefixes?: string[];
  receivesCdrs?: boolean;
}

/**
 * Changes what an operator may change of a partner (not its roles, identifiers or keys). A CPO that
 * becomes a whitelist push target is sent the merged whitelist at once, enqueued at `now` (the
 * dashboard passes the hub's clock). Undefined: no such partner.
 * Example: `await updatePartner(storage, 3, { rfidAuth: 'offline' })`.
 */
export async function updatePartner(storage: Storage, id: number, input: UpdatePartnerInput, now = Date.now()): Promise<PartnerRecord | undefined> {
  const current = await storage.partners.get(id);
  if (!current) return undefined;
  const changes: Partial<Omit<NewPartner, 'partnerIdentifiers'>> = {};
  if (input.name !== undefined) {
    if (!input.name.trim()) throw new PartnerInputError('--name must not be empty');
    changes.name = input.name.trim();
  }
  if (input.rfidAuth !== undefined) {
    if (!['online', 'offline', 'none'].includes(input.rfidAuth)) throw new PartnerInputError('--rfid-auth must be online, offline or none');
    changes.rfidAuth = input.rfidAuth as RfidAuthMode;
  }
  if (input.evcoPrefixes !== undefined) changes.evcoPrefixes = [...new Set(input.evcoPrefixes.filter(Boolean).map(normalizeEvcoPrefix))];
  if (input.receivesCdrs !== undefined) changes.receivesCdrs = input.receivesCdrs;
  if (input.endpoint === null) {
    if (input.endpointKey !== undefined) throw new PartnerInputError('--endpoint-key goes with --endpoint');
    changes.endpoint = undefined;
  } else if (input.endpoint !== undefined) {
    checkEndpointUrl(input.endpoint.url);
    changes.endpoint = { url: input.endpoint.url, apiKey: input.endpoint.apiKey ?? input.endpointKey ?? current.endpoint?.apiKey ?? '' };
  } else if (input.endpointKey !== undefined) {
    if (!current.endpoint) throw new PartnerInputError('--endpoint-key goes with --endpoint: this partner has none');
    changes.endpoint = { url: current.endpoint.url, apiKey: input.endpointKey };
  }
  if (Object.keys(changes).length === 0) return current;
  const updated = await storage.partners.update(id, changes);
  if (updated) await pushToNewTarget(storage, current, updated, now);
  return updated;
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
