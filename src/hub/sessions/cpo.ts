/**
 * Routing a remote call to the CPO that owns a connector: resolving the connector (181), finding
 * the CPO's endpoint (300), sending with the hub's upstream deadline (302 / 300), and turning the
 * CPO's answer into what the hub relays.
 */
import { isHubConnectorRef } from '../../protocol/messages/call-parts.js';
import { evseKey, OioiError, oioiError, type CallName } from '../../protocol/index.js';
import type { PartnerEndpoint, PartnerRecord } from '../../storage/index.js';
import type { ConnectorOwner } from '../../storage/sessions.js';
import { isOioiClientError, OioiClient } from '../../transport/client/index.js';
import type { HubContext } from '../context.js';
import { observeSend } from '../events.js';

/**
 * The live connector a `connector-id` names (EVSE ID or hub id), or 181.
 * Example: `await resolveConnector(ctx, '1356')`.
 */
export async function resolveConnector(ctx: HubContext, ref: string): Promise<ConnectorOwner> {
  const found = isHubConnectorRef(ref) ? await ctx.storage.sessions.connectorById(Number(ref)) : await ctx.storage.sessions.connectorByEvseKey(evseKey(ref));
  if (!found) throw oioiError(181, `EVSE ${ref} not found`);
  return found;
}

/** The CPO partner and the endpoint the hub calls it at, or 300 when it has none. */
export function cpoEndpoint(ctx: HubContext, cpoPartnerId: number): { cpo: PartnerRecord; endpoint: PartnerEndpoint } {
  const cpo = ctx.auth.partner(cpoPartnerId);
  if (!cpo?.endpoint?.url) throw oioiError(300, 'the operator of this EVSE cannot be reached through the hub (no endpoint configured)');
  return { cpo, endpoint: cpo.endpoint };
}

const clients = new WeakMap<HubContext, Map<number, { key: string; client: OioiClient }>>();

/** One keep-alive client per CPO endpoint, without retries: remote commands must not be sent twice. */
function clientFor(ctx: HubContext, cpo: PartnerRecord, endpoint: PartnerEndpoint): OioiClient {
  let byPartner = clients.get(ctx);
  if (!byPartner) clients.set(ctx, (byPartner = new Map()));
  const key = `${endpoint.url}\n${endpoint.apiKey}`;
  const hit = byPartner.get(cpo.id);
  if (hit?.key === key) return hit.client;
  hit?.client.close();
  const client = new OioiClient({ url: endpoint.url, apiKey: endpoint.apiKey || '-', timeoutMs: ctx.config.upstreamTimeoutMs, retry: false });
  byPartner.set(cpo.id, { key, client });
  return client;
}

/** What the CPO answered: its result and the body for reading payload keys. */
export interface CpoAnswer { code: number; message: string; body: Record<string, any> }

/**
 * Sends one call to a CPO. No answer within `upstreamTimeoutMs`: 302; no connection, an unreadable
 * answer or an HTTP 5xx: 300; both with HTTP 503 + Retry-After (shared/protocol.md, "HTTP status and result codes").
 * Example: `const a = await sendToCpo(ctx, cpo, endpoint, 'session-start', payload)`.
 */
export async function sendToCpo(ctx: HubContext, cpo: PartnerRecord, endpoint: PartnerEndpoint, call: CallName, payload: unknown): Promise<CpoAnswer> {
  try {
    const body = (await observeSend(ctx.events, call, cpo, clientFor(ctx, cpo, endpoint).send(call, payload as never, { timeoutMs: ctx.config.upstreamTimeoutMs }))) as Record<string, any>;
    // A 5xx says the CPO is down whatever its body claims: relaying a "success" from it would
    // record a session or a cancellation the CPO may never have made.
    if (body.httpStatus >= 500) {
      ctx.log.warn({ msg: 'CPO answered an HTTP error', partner: cpo.id, call, status: body.httpStatus, code: body.result.code });
      throw new OioiError(300, `the operator is unavailable (HTTP ${body.httpStatus}, code ${body.result.code})`, { httpStatus: 503, retryAfter: 5 });
    }
    return { code: body.result.code, message: String(body.result.message ?? ''), body };
  } catch (err) {
    if (isOioiClientError(err) && err.kind === 'timeout') {
      throw new OioiError(302, `the operator did not answer within ${ctx.config.upstreamTimeoutMs} ms`, { httpStatus: 503, retryAfter: 5 });
    }
    if (isOioiClientError(err)) {
      ctx.log.warn({ msg: 'CPO unreachable', partner: cpo.id, call, error: err.message });
      throw new OioiError(300, `the operator could not be reached (${err.kind})`, { httpStatus: 503, retryAfter: 5 });
    }
    throw err;
  }
}

/**
 * The code and message the hub relays for a CPO's answer. The CPO's business codes pass as they
 * are; its request/permission errors (2xx) and system errors (1xx, 4xx) concern the hub-CPO link,
 * not the sender, so they become 300 with the CPO's code in the message.
 * Example: `relayResult({ code: 230, message: 'bad' }).code === 300`.
 */
export function relayResult(a: Pick<CpoAnswer, 'code' | 'message'>): { code: number; message: string } {
  const family = Math.floor(a.code / 100);
  if (family === 1 && a.code >= 140) return { code: a.code, message: a.message }; // 14x..19x: about the customer or the EVSE
  if (family === 0 || family === 3 || family === 8) return { code: a.code, message: a.message };
  return { code: 300, message: `operator error (it answered ${a.code}: ${a.message})` };
}
