/**
 * Partner management from the dashboard: list with keys and traffic, create (the first API key is
 * shown once), edit endpoint and modes, add and revoke keys. Every change reloads the hub's
 * partner cache at once, so a new key authenticates on the next request.
 */
import { parseApiKey } from '../partners/api-keys.js';
import { addKey, addPartner, normalizeEvcoPrefix, PartnerInputError, publicPartnerView, updatePartner } from '../partners/partner-service.js';
import type { PartnerRecord, RfidAuthMode } from '../../storage/index.js';
import type { HubContext } from '../context.js';
import { ApiError, optString, optStrings } from './http.js';
import type { TrafficLog } from './traffic.js';

/** A partner as the dashboard shows it: the public view (never the endpoint key), its keys and traffic. */
export async function partnerView(ctx: HubContext, traffic: TrafficLog, p: PartnerRecord) {
  const keys = await ctx.storage.partners.keysOf(p.id);
  return {
    ...publicPartnerView(p),
    keys: keys.map((k) => ({ id: k.id, createdAt: k.createdAt, revokedAt: k.revokedAt ?? null })),
    traffic: traffic.partnerTraffic(p.id),
  };
}

/** A 400 of the service's input error; its messages name CLI flags (`--endpoint-key`), shown as body fields (`endpointKey`). */
function badInput(err: PartnerInputError): ApiError {
  return new ApiError(400, err.message.replace(/--([a-z-]+)/g, (_, f: string) => f.replace(/-([a-z])/g, (__, c: string) => c.toUpperCase())));
}

function rfidAuthOf(value: string | undefined): RfidAuthMode | undefined {
  if (value === undefined) return undefined;
  if (value !== 'online' && value !== 'offline' && value !== 'none') throw new ApiError(400, 'rfidAuth must be online, offline or none');
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
      ...(endpoint ? { endpoint: { url: endpoint, apiKey: endpointKey ?? '' } } : {}),
      ...(rfidAuth ? { rfidAuth } : {}),
      ...(evcoPrefixes ? { evcoPrefixes } : {}),
    });
    await ctx.auth.reload();
    return { partner: await partnerView(ctx, traffic, partner), apiKey };
  } catch (err) {
    if (err instanceof PartnerInputError) throw badInput(err);
    throw err;
  }
}

/** `PATCH /partners/:id`: only the fields given change; `endpoint: null` removes the endpoint. */
export async function editPartner(ctx: HubContext, traffic: TrafficLog, id: number, body: Record<string, unknown>) {
  // An unknown partner is a 404 whatever the body holds, before any of its fields is checked.
  if (!(await ctx.storage.partners.get(id))) throw new ApiError(404, `no partner with id ${id}`);
  const name = optString(body, 'name');
  const rfidAuth = optString(body, 'rfidAuth');
  const evcoPrefixes = prefixesOf(optStrings(body, 'evcoPrefixes'));
  const endpoint = body.endpoint === null ? null : optString(body, 'endpoint');
  const endpointKey = optString(body, 'endpointKey');
  let updated: PartnerRecord | undefined;
  try {
    updated = await updatePartner(ctx.storage, id, {
      ...(name !== undefined ? { name } : {}),
      ...(rfidAuth !== undefined ? { rfidAuth } : {}),
      ...(evcoPrefixes ? { evcoPrefixes } : {}),
      ...(endpoint === null ? { endpoint: null } : endpoint !== undefined ? { endpoint: { url: endpoint } } : {}),
      // Removing the endpoint with an empty key is no conflict: only a real key goes with an endpoint.
      ...(endpointKey !== undefined && !(endpoint === null && !endpointKey) ? { endpointKey } : {}),
    }, ctx.now().getTime());
  } catch (err) {
    if (err instanceof PartnerInputError) throw badInput(err);
    throw err;
  }
  if (!updated) throw new ApiError(404, `no partner with id ${id}`);
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
