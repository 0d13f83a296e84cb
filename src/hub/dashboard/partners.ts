/**
 * Partner management from the dashboard: list with keys and traffic, create (the first API key is
 * shown once), edit endpoint and modes, add and revoke keys. Every change reloads the hub's
 * partner cache at once, so a new key authenticates on the next request.
 */
import { parseApiKey } from '../partners/api-keys.js';
import { pushToNewTarget } from '../authorization/push-targets.js';
import { addKey, addPartner, normalizeEvcoPrefix, PartnerInputError } from '../partners/partner-service.js';
import type { NewPartner, PartnerRecord, RfidAuthMode } from '../../storage/index.js';
import type { HubContext } from '../context.js';
import { ApiError, optString, optStrings } from './http.js';
import type { TrafficLog } from './traffic.js';

/** A partner as the dashboard shows it: never the endpoint key. */
export async function partnerView(ctx: HubContext, traffic: TrafficLog, p: PartnerRecord) {
  const keys = await ctx.storage.partners.keysOf(p.id);
  return {
    id: p.id,
    name: p.name,
    roles: p.roles,
    partnerIdentifiers: p.partnerIdentifiers,
    evcoPrefixes: p.evcoPrefixes,
    endpoint: p.endpoint?.url ?? null,
    rfidAuth: p.rfidAuth,
    receivesCdrs: p.receivesCdrs,
    keys: keys.map((k) => ({ id: k.id, createdAt: k.createdAt, revokedAt: k.revokedAt ?? null })),
    traffic: traffic.partnerTraffic(p.id),
  };
}

function rfidAuthOf(value: string | undefined): RfidAuthMode | undefined {
  if (value === undefined) return undefined;
  if (value !== 'online' && value !== 'offline' && value !== 'none') throw new ApiError(400, 'rfidAuth must be online, offline or none');
  return value;
}

function endpointUrl(value: string): string {
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    throw new ApiError(400, `endpoint '${value}' is not a URL`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new ApiError(400, 'endpoint must be an http or https URL');
  return value;
}

function prefixesOf(list: string[] | undefined): string[] | undefined {
  if (list === undefined) return undefined;
  try {
    return [...new Set(list.filter(Boolean).map(normalizeEvcoPrefix))];
  } catch (err) {
    throw new ApiError(400, `evcoPrefixes: ${(err as Error).message}`);
  }
}

/** `POST /partners`. Example body: `{ "name": "ACME", "roles": ["cpo"], "endpoint": "https://acme.example/oioi" }`. */
export async function createPartner(ctx: HubContext, traffic: TrafficLog, body: Record<string, unknown>) {
  const name = optString(body, 'name');
  const roles = optStrings(body, 'roles');
  if (!name?.trim()) throw new ApiError(400, 'name is required');
  if (!roles?.length) throw new ApiError(400, 'roles is required (any of cpo, emp, oem, fleet)');
  const endpoint = optString(body, 'endpoint');
  const endpointKey = optString(body, 'endpointKey');
  if (endpointKey && !endpoint) throw new ApiError(400, 'endpointKey goes with endpoint');
  const rfidAuth = rfidAuthOf(optString(body, 'rfidAuth'));
  const evcoPrefixes = prefixesOf(optStrings(body, 'evcoPrefixes'));
  try {
    const { partner, apiKey } = await addPartner(ctx.storage, {
      name,
      roles,
      ...(endpoint ? { endpoint: { url: endpointUrl(endpoint), apiKey: endpointKey ?? '' } } : {}),
      ...(rfidAuth ? { rfidAuth } : {}),
      ...(evcoPrefixes ? { evcoPrefixes } : {}),
    });
    await ctx.auth.reload();
    return { partner: await partnerView(ctx, traffic, partner), apiKey };
  } catch (err) {
    if (err instanceof PartnerInputError) throw new ApiError(400, err.message.replace(/--([a-z-]+)/g, (_, f: string) => f.replace(/-([a-z])/g, (__, c: string) => c.toUpperCase())));
    throw err;
  }
}

/** `PATCH /partners/:id`: only the fields given change; `endpoint: null` removes the endpoint. */
export async function editPartner(ctx: HubContext, traffic: TrafficLog, id: number, body: Record<string, unknown>) {
  const current = await ctx.storage.partners.get(id);
  if (!current) throw new ApiError(404, `no partner with id ${id}`);
  const changes: Partial<Omit<NewPartner, 'partnerIdentifiers'>> = {};
  const name = optString(body, 'name');
  if (name !== undefined) {
    if (!name.trim()) throw new ApiError(400, 'name must not be empty');
    changes.name = name.trim();
  }
  const rfidAuth = rfidAuthOf(optString(body, 'rfidAuth'));
  if (rfidAuth) changes.rfidAuth = rfidAuth;
  const evcoPrefixes = prefixesOf(optStrings(body, 'evcoPrefixes'));
  if (evcoPrefixes) changes.evcoPrefixes = evcoPrefixes;
  const endpointKey = optString(body, 'endpointKey');
  if (body.endpoint === null) {
    if (endpointKey) throw new ApiError(400, 'endpointKey goes with endpoint');
    changes.endpoint = undefined;
  } else {
    const endpoint = optString(body, 'endpoint');
    if (endpoint !== undefined) changes.endpoint = { url: endpointUrl(endpoint), apiKey: endpointKey ?? current.endpoint?.apiKey ?? '' };
    else if (endpointKey !== undefined) {
      if (!current.endpoint) throw new ApiError(400, 'endpointKey goes with endpoint: this partner has none');
      changes.endpoint = { url: current.endpoint.url, apiKey: endpointKey };
    }
  }
  const updated = Object.keys(changes).length ? await ctx.storage.partners.update(id, changes) : current;
  if (!updated) throw new ApiError(404, `no partner with id ${id}`);
  await pushToNewTarget(ctx.storage, current, updated, ctx.now().getTime());
  await ctx.auth.reload();
  return { partner: await partnerView(ctx, traffic, updated) };
}

/** `POST /partners/:id/keys`: a new key, shown once. */
export async function createKey(ctx: HubContext, id: number) {
  let apiKey: string;
  try {
    apiKey = await addKey(ctx.storage, id);
  } catch (err) {
    if (err instanceof PartnerInputError) throw new ApiError(404, err.message);
    throw err;
  }
  await ctx.auth.reload();
  const keyId = parseApiKey(apiKey)!.id;
  const key = (await ctx.storage.partners.keysOf(id)).find((k) => k.id === keyId)!;
  return { apiKey, key: { id: key.id, createdAt: key.createdAt, revokedAt: null } };
}

/** `POST /keys/:keyId/revoke`. */
export async function revokeKeyById(ctx: HubContext, keyId: string) {
  if (!(await ctx.storage.partners.revokeKey(keyId))) throw new ApiError(404, `no active key with id ${keyId}`);
  await ctx.auth.reload();
  return { revoked: true };
}
