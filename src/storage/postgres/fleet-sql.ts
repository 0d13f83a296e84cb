/** Which fleets subscribed to a card, as SQL both CdrRepository.fleetSubscribers and a CDR's read ask. */

/**
 * The fleet partners with a live card for any of the EVCO keys ($first, text[]) or UIDs
 * ($first+1, text[]), as one JSON array of ids ascending (`[]` for none); its parameters come
 * from fleetSubscribersParams. Example: `SELECT ${fleetSubscribersSql(1)} AS fleets`.
 */
export function fleetSubscribersSql(first: number): string {
  return fleetSubscribersOf(`$${first}::text[]`, `$${first + 1}::text[]`);
}

/**
 * fleetSubscribersSql over any two SQL text arrays, such as a batch's columns.
 * Example: `SELECT ${fleetSubscribersOf('p.evco_keys', 'p.uids')} FROM p`.
 */
export function fleetSubscribersOf(evcoKeys: string, uids: string): string {
  return `(SELECT coalesce(json_agg(f.partner_id ORDER BY f.partner_id), '[]') FROM (SELECT DISTINCT partner_id FROM fleet_cards
    WHERE card_status <> 'REQUEST_REJECTED' AND (evco_key = ANY(${evcoKeys}) OR uid = ANY(${uids}))) f)`;
}

/** The two parameters of fleetSubscribersSql: the keys and UIDs asked, empty ones left out (none without `q`). */
export function fleetSubscribersParams(q: { evcoKeys: string[]; uids: string[] } | undefined): [string[], string[]] {
  return [q?.evcoKeys.filter(Boolean) ?? [], q?.uids.filter(Boolean) ?? []];
}
