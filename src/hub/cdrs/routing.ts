/**
 * Who receives a CDR (shared/protocol.md, "CDRs"): one EMP/OEM, plus every fleet subscribed to the
 * EVCO ID or UID. The EMP/OEM is the partner that started the session remotely, else whoever
 * answered for the card when the session began (card-authority.ts), else the EMP owning the EVCO
 * ID prefix. Never the CPO that sent it, never a partner set not to receive CDRs.
 */
import { evseKey, normalizeEvcoId, parseDateTime } from '../../protocol/index.js';
import type { SessionPost } from '../../protocol/messages/session.js';
import type { SessionForCdrQuery } from '../../storage/cdrs.js';
import type { RemoteSessionRecord } from '../../storage/sessions.js';
import type { HubContext } from '../context.js';
import { ownsEvco, userKey } from '../sessions/identity.js';
import { cardAuthorityAt, type CardAuthority } from './card-authority.js';

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
  let authority: CardAuthority | undefined;
  if (type === 'rfid') {
    // Looked up whether or not the hub started the session: the EVCO ID behind the card is what fleets subscribe to.
    authority = cardAuthorityAt(await ctx.storage.authorization.cardHistory(key), started);
    if (authority?.evcoId) evcoKeys.push(normalizeEvcoId(authority.evcoId) ?? authority.evcoId);
  }
  const route = (remote: RemoteSessionRecord | undefined, fleets: readonly number[]): CdrRoute => {
    let primary: number | undefined;
    let via: CdrRoute['via'] = 'none';
    if (remote) [primary, via] = [remote.partnerId, 'remote-start'];
    else if (authority?.via === 'hub-account') via = 'hub-account'; // the hub is the EMP and keeps the CDR
    else if (authority) [primary, via] = [authority.partnerId, authority.via];
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
