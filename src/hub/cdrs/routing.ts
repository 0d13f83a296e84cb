/**
 * Who receives a CDR (shared/protocol.md, "CDRs"): one EMP/OEM (the partner that started the
 * session remotely, else the EMP that authorized the UID, else the EMP owning the EVCO ID prefix),
 * plus every fleet subscribed to the EVCO ID or UID. Never the CPO that sent it, never a partner
 * set not to receive CDRs.
 */
import { evseKey, normalizeEvcoId, parseDateTime } from '../../protocol/index.js';
import type { SessionPost } from '../../protocol/messages/session.js';
import type { SessionForCdrQuery } from '../../storage/cdrs.js';
import type { RemoteSessionRecord } from '../../storage/sessions.js';
import type { HubContext } from '../context.js';
import { ownsEvco, userKey } from '../sessions/identity.js';

/** How far apart a remote start and the CDR's session start may be and still be matched without a session id. */
const MATCH_WINDOW_MS = 24 * 3600_000;

/** A CDR's receivers, once the remote session and the fleets subscribed are known. */
export interface CdrRoute {
  /** Partner ids, EMP/OEM first, then fleets. */
  recipients: number[];
  /** Why the EMP/OEM was chosen (for logs and tests). */
  via: 'remote-start' | 'authorization' | 'whitelist' | 'evco-prefix' | 'hub-account' | 'none';
  /** The remote session this CDR belongs to, when the hub started it. */
  remoteSessionId?: number;
}

export interface CdrRouting {
  /** The remote session to look up (storage does it inside the CDR's own write: `CdrPost.session`). */
  session: SessionForCdrQuery;
  /** Whose fleet subscriptions count: the CDR's EVCO keys and UIDs (looked up in the write too: `CdrPost.fleets`). */
  fleets: { evcoKeys: string[]; uids: string[] };
  /** The receivers, from what the write found: the remote session of `session` and the fleet partners subscribed to `fleets`. */
  route(remote: RemoteSessionRecord | undefined, fleetSubscribers: readonly number[]): CdrRoute;
}

/**
 * Works out what a CDR's receivers depend on; storage reads the remote session and the fleets in
 * the CDR's write, `route` decides from them.
 * Example: `(await routeCdr(ctx, payload, cpoId)).route(remoteSession, fleetIds).recipients`.
 */
export async function routeCdr(ctx: HubContext, p: SessionPost, senderId: number): Promise<CdrRouting> {
  const type = p.user['identifier-type'];
  const key = userKey(type, p.user.identifier);
  const started = parseDateTime(p['session-interval'].start)?.getTime() ?? ctx.now().getTime();
  const session: SessionForCdrQuery = {
    cpoSessionId: p['session-id'], evseKey: evseKey(p['connector-id']), userKey: key,
    startedAfter: started - MATCH_WINDOW_MS, startedBy: started + MATCH_WINDOW_MS,
  };
  const evcoKeys: string[] = type === 'evco-id' ? [key] : [];
  const uids: string[] = type === 'rfid' ? [key] : [];
  let authorized: { partnerId: number | null } | undefined;
  let whitelisted: { partnerId: number } | undefined;
  if (type === 'rfid') {
    // Looked up whether or not the hub started the session: the EVCO ID behind the card is what fleets subscribe to.
    const auth = await ctx.storage.authorization.authorizedBy(key);
    const hit = auth ? undefined : await ctx.storage.authorization.whitelistHit(key);
    const evco = auth?.evcoId ?? hit?.evcoId;
    if (evco) evcoKeys.push(normalizeEvcoId(evco) ?? evco);
    authorized = auth ?? undefined;
    whitelisted = hit ?? undefined;
  }
  const route = (remote: RemoteSessionRecord | undefined, fleets: readonly number[]): CdrRoute => {
    let primary: number | undefined;
    let via: CdrRoute['via'] = 'none';
    if (remote) [primary, via] = [remote.partnerId, 'remote-start'];
    else if (authorized) {
      // partnerId null: the hub's own account authorized it, the hub is the EMP and keeps the CDR.
      if (authorized.partnerId === null) via = 'hub-account';
      else [primary, via] = [authorized.partnerId, 'authorization'];
    } else if (whitelisted) [primary, via] = [whitelisted.partnerId, 'whitelist'];
    if (primary === undefined && via === 'none' && evcoKeys.length > 0) {
      // Without a remote start, authorization or whitelist: the EMP owning the EVCO ID prefix.
      const owner = ctx.auth.partners().find((partner) => evcoKeys.some((e) => ownsEvco(partner, e)));
      if (owner) [primary, via] = [owner.id, 'evco-prefix'];
    }
    const recipients = [...new Set([...(primary === undefined ? [] : [primary]), ...fleets])].filter((id) => {
      const partner = ctx.auth.partner(id);
      return id !== senderId && partner !== undefined && partner.receivesCdrs;
    });
    return { recipients, via, ...(remote ? { remoteSessionId: remote.id } : {}) };
  };
  return { session, fleets: { evcoKeys, uids }, route };
}
