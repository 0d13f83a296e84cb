/**
 * Who receives a CDR (shared/protocol.md, "CDRs"): one EMP/OEM (the partner that started the
 * session remotely, else the EMP that authorized the UID, else the EMP owning the EVCO ID prefix),
 * plus every fleet subscribed to the EVCO ID or UID. Never the CPO that sent it, never a partner
 * set not to receive CDRs.
 */
import { evseKey, normalizeEvcoId, parseDateTime } from '../../protocol/index.js';
import type { SessionPost } from '../../protocol/messages/session.js';
import type { HubContext } from '../context.js';
import { ownsEvco, userKey } from '../sessions/identity.js';

/** How far apart a remote start and the CDR's session start may be and still be matched without a session id. */
const MATCH_WINDOW_MS = 24 * 3600_000;

export interface CdrRouting {
  /**
   * Partner ids, EMP/OEM first, then fleets, from the fleet partners subscribed to `fleets`
   * (storage looks them up inside the CDR's own write: `CdrPost.fleets`).
   */
  recipients(fleetSubscribers: readonly number[]): number[];
  /** Whose fleet subscriptions count: the CDR's EVCO keys and UIDs. */
  fleets: { evcoKeys: string[]; uids: string[] };
  /** Why the EMP/OEM was chosen (for logs and tests). */
  via: 'remote-start' | 'authorization' | 'whitelist' | 'evco-prefix' | 'hub-account' | 'none';
  /** The remote session this CDR belongs to, when the hub started it. */
  remoteSessionId?: number;
}

/** Works out a CDR's receivers. Example: `(await routeCdr(ctx, payload, cpoId)).recipients(fleetIds)`. */
export async function routeCdr(ctx: HubContext, p: SessionPost, senderId: number): Promise<CdrRouting> {
  const type = p.user['identifier-type'];
  const key = userKey(type, p.user.identifier);
  const started = parseDateTime(p['session-interval'].start)?.getTime() ?? ctx.now().getTime();
  const remote = await ctx.storage.sessions.sessionForCdr({
    cpoSessionId: p['session-id'], evseKey: evseKey(p['connector-id']), userKey: key,
    startedAfter: started - MATCH_WINDOW_MS, startedBy: started + MATCH_WINDOW_MS,
  });
  const evcoKeys: string[] = type === 'evco-id' ? [key] : [];
  const uids: string[] = type === 'rfid' ? [key] : [];
  let primary: number | undefined;
  let via: CdrRouting['via'] = 'none';
  if (remote) {
    primary = remote.partnerId;
    via = 'remote-start';
  }
  if (type === 'rfid') {
    // Looked up even after a remote start: the EVCO ID behind the card is what fleets subscribe to.
    const auth = await ctx.storage.authorization.authorizedBy(key);
    const hit = auth ? undefined : await ctx.storage.authorization.whitelistHit(key);
    const evco = auth?.evcoId ?? hit?.evcoId;
    if (evco) evcoKeys.push(normalizeEvcoId(evco) ?? evco);
    if (primary === undefined && auth) {
      // partnerId null: the hub's own account authorized it, the hub is the EMP and keeps the CDR.
      if (auth.partnerId === null) via = 'hub-account';
      else [primary, via] = [auth.partnerId, 'authorization'];
    } else if (primary === undefined && hit) [primary, via] = [hit.partnerId, 'whitelist'];
  }
  if (primary === undefined && via === 'none' && evcoKeys.length > 0) {
    const owner = ctx.auth.partners().find((partner) => evcoKeys.some((e) => ownsEvco(partner, e)));
    if (owner) [primary, via] = [owner.id, 'evco-prefix'];
  }
  const recipients = (fleets: readonly number[]) =>
    [...new Set([...(primary === undefined ? [] : [primary]), ...fleets])].filter((id) => {
      const partner = ctx.auth.partner(id);
      return id !== senderId && partner !== undefined && partner.receivesCdrs;
    });
  return { recipients, fleets: { evcoKeys, uids }, via, ...(remote ? { remoteSessionId: remote.id } : {}) };
}
