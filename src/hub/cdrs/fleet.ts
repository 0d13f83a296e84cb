/**
 * fleet-post-cards, fleet -> hub: records the cards a fleet holds, so the hub forwards the CDRs of
 * their EVCO IDs and UIDs to that fleet (shared/protocol.md, "CDRs"; docs/calls/fleet_post_cards.rst).
 */
import { normalizeEvcoId, normalizeUid } from '../../protocol/index.js';
import type { FleetCardInput } from '../../storage/cdrs.js';
import type { HubContext } from '../context.js';

/** A card as fleet-post-cards carries it (after the schema's lenient reading). */
interface PostedCard {
  'fm-card-uid': string;
  'fleet-member-uid': string;
  'evco-id'?: string;
  rfid?: string;
  'card-status': string;
  [k: string]: unknown;
}

/**
 * Upserts a fleet's cards; a card stays subscribed whatever its status except REQUEST_REJECTED
 * (a blocked card's earlier sessions still bill to the fleet). Returns `processed`.
 * Example: `await postFleetCards(ctx, { 'fleet-cards': [...] }, fleetPartnerId)`.
 */
export async function postFleetCards(ctx: HubContext, p: { 'fleet-cards': PostedCard[] }, partnerId: number): Promise<number> {
  const cards: FleetCardInput[] = p['fleet-cards'].map((c) => {
    const evcoKey = c['evco-id'] ? (normalizeEvcoId(c['evco-id']) ?? c['evco-id']) : undefined;
    const uid = c.rfid ? (normalizeUid(c.rfid) ?? c.rfid) : undefined;
    return {
      fmCardUid: c['fm-card-uid'], fleetMemberUid: c['fleet-member-uid'], cardStatus: c['card-status'], data: { ...c },
      ...(evcoKey ? { evcoKey } : {}), ...(uid ? { uid } : {}),
    };
  });
  return ctx.storage.cdrs.saveFleetCards(partnerId, cards, ctx.now().getTime());
}
