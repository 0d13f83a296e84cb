/**
 * station-post (shared/protocol.md, "POI"): the station belongs to the partner identifier of the
 * payload (the server core already checked the key may act for it); storage applies the rules in
 * one transaction and reports which one a post broke.
 */
import { OioiError } from '../../protocol/errors.js';
import { evseKey } from '../../protocol/identifiers/evse-id.js';
import type { StationPost } from '../../protocol/messages/station.js';
import type { ConnectorInput, SaveStationOutcome } from '../../storage/poi.js';
import type { HubContext } from '../context.js';

const reject = (message: string) => new OioiError(230, message, { httpStatus: 400 });

/**
 * The post's connectors as storage takes them, each with its normalized key; throws 230 when one
 * post names the same EVSE twice (compared on that key).
 */
function connectorsOf(connectors: StationPost['station']['connectors']): ConnectorInput[] {
  const seen = new Map<string, number>();
  return connectors.map((c, i) => {
    const key = evseKey(c.id);
    const first = seen.get(key);
    if (first !== undefined) throw reject(`station-post.station.connectors[${i}].id: ${c.id} is the same EVSE ID as connectors[${first}].id`);
    seen.set(key, i);
    return { evseId: c.id, evseKey: key, type: c.name, speed: c.speed };
  });
}

/** Turns a rule storage reported into the answer shared/protocol.md prescribes. */
function failure(outcome: Extract<SaveStationOutcome, { ok: false }>): OioiError {
  if (outcome.reason === 'connector-set-changed') {
    const parts = [outcome.added.length ? `adds ${outcome.added.join(', ')}` : '', outcome.removed.length ? `removes ${outcome.removed.join(', ')}` : ''].filter(Boolean);
    return reject(`station-post.station.connectors: the connector ids of a posted station may not change; this post ${parts.join(' and ')}`);
  }
  if (!outcome.sameCoordinates) return new OioiError(322, `connector ${outcome.evseId} already exists at another station with a different latitude/longitude`);
  return reject(`station-post.station.connectors: EVSE ID ${outcome.evseId} is already used by another partner's station`);
}

/**
 * Stores one station-post for the partner `partnerId`.
 * Example: `await postStation(ctx, 3, payload)` -> `{ stationId: 17, created: true }`.
 */
export async function postStation(ctx: HubContext, partnerId: number, payload: StationPost): Promise<{ stationId: number | null; created: boolean }> {
  const { connectors, deleted, id, ...data } = payload.station;
  const inputs = connectorsOf(connectors);
  const outcome = await ctx.storage.poi.saveStation({
    ownerPartnerId: partnerId,
    ownerIdentifier: payload['partner-identifier'],
    cpoStationId: id,
    name: data.name,
    latitude: data.latitude,
    longitude: data.longitude,
    isPrivate: data['is-private'] === true,
    isFreeCharge: data['is-free-charge'] === true,
    deleted,
    data,
    connectors: inputs,
    at: ctx.now().getTime(),
  });
  if (!outcome.ok) throw failure(outcome);
  return { stationId: outcome.stationId, created: outcome.created };
}
