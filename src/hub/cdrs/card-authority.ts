/**
 * Whom an RFID session's CDR belongs to, from the card's history (storage `cardHistory`) and the
 * session's start: the source rfid-verify would have answered from when the session began
 * (shared/protocol.md, "Authorization (RFID)": accounts, then the offline whitelists, then the
 * EMPs that authorize online). rfid-verify records only online authorizations; the lists keep
 * their own history, so the CDR of a card removed from a list while it charged still goes to
 * that list's owner, as does the CDR of a session the CPO authorized from its copy of the list.
 */
import type { CardHistory, WhitelistEntry } from '../../storage/authorization.js';

/** Who answers for a card: the hub's own account, a list's owner, or an authorization on record. */
export type CardAuthority =
  | { via: 'hub-account'; evcoId?: string }
  | { via: 'whitelist' | 'authorization'; partnerId: number; evcoId?: string };

/**
 * How far a list entry's time on the list lies from `at` (ms): 0 while listed. An entry older than
 * the list history (no `addedAt`) counts as listed from the beginning.
 */
function distance(e: WhitelistEntry, at: number): number {
  const added = e.addedAt === undefined ? -Infinity : Date.parse(e.addedAt);
  const removed = e.removedAt === undefined ? Infinity : Date.parse(e.removedAt);
  return at < added ? added - at : at >= removed ? at - removed : 0;
}

/** rfid-verify's precedence between lists: the lowest partner id, then the lowest list id. */
const before = (a: WhitelistEntry, b: WhitelistEntry) => a.partnerId < b.partnerId || (a.partnerId === b.partnerId && a.listId < b.listId);

/**
 * The authority over a card for a session that started at `startedAt` (ms since epoch):
 * 1. the hub's own account holding the card (accounts come first in rfid-verify);
 * 2. else, of the lists that hold or held the card and the authorization on record (online EMPs;
 *    `partnerId: null` is an account hit recorded before migration 850), the one nearest in time
 *    to `startedAt`: a list holding the card at that moment is at distance 0, an authorization
 *    at the time between it and `startedAt`. Lists win ties, as in rfid-verify, and among lists
 *    the lowest partner id. The nearest rather than only the exact: a CPO's clock may run behind
 *    the hub's, and a card's EMP is a better receiver than nobody.
 * Undefined when nobody ever answered for the card.
 * Example: `cardAuthorityAt(await repo.cardHistory(uid), Date.parse(start))?.via`.
 */
export function cardAuthorityAt(h: CardHistory, startedAt: number): CardAuthority | undefined {
  if (h.account) return { via: 'hub-account', evcoId: h.account.evcoId };
  let best: WhitelistEntry | undefined;
  let bestDistance = Infinity;
  for (const e of h.entries) {
    const d = distance(e, startedAt);
    if (!best || d < bestDistance || (d === bestDistance && before(e, best))) [best, bestDistance] = [e, d];
  }
  const auth = h.authorized;
  if (auth && (!best || Math.abs(Date.parse(auth.at) - startedAt) < bestDistance)) {
    const evco = auth.evcoId ? { evcoId: auth.evcoId } : {};
    return auth.partnerId === null ? { via: 'hub-account', ...evco } : { via: 'authorization', partnerId: auth.partnerId, ...evco };
  }
  return best && { via: 'whitelist', partnerId: best.partnerId, ...(best.evcoId ? { evcoId: best.evcoId } : {}) };
}
