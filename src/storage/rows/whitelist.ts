/** Pure list arithmetic behind replacing a whitelist, and the rows of its history, the same on both engines. */
import { WHITELIST_REMOVAL_RETENTION_MS, type WhitelistEntry } from '../authorization.js';

/**
 * The sorted, duplicate-free difference of two lists: what `next` adds to `old` and removes from
 * it. `old` comes sorted bytewise from the database (SQLite's BINARY order, PostgreSQL's "C"
 * collation; JS string order agrees on ASCII); sorting `next` and walking both once is cheaper
 * than two Sets of 100k+ strings.
 * Example: `diffSorted(['A', 'B'], ['C', 'B', 'C'])` is `{ added: ['C'], removed: ['A'], total: 2 }`.
 */
export function diffSorted(old: readonly string[], next: readonly string[]): { added: string[]; removed: string[]; total: number } {
  const sorted = [...next].sort();
  const added: string[] = [];
  const removed: string[] = [];
  let i = 0;
  let total = 0;
  for (let j = 0; j < sorted.length; j++) {
    const u = sorted[j]!;
    if (j > 0 && sorted[j - 1] === u) continue;
    total++;
    while (i < old.length && old[i]! < u) removed.push(old[i++]!);
    if (i < old.length && old[i] === u) i++;
    else added.push(u);
  }
  while (i < old.length) removed.push(old[i++]!);
  return { added, removed, total };
}

/** A row of `cardHistory`'s entries query (both engines select these columns). */
export interface WhitelistEntryRow {
  partner_id: number | string;
  list_id: number | string;
  partner_identifier: string;
  evco_id: string | null;
  added_at: string | null;
  removed_at: string | null;
}

/**
 * The lists holding and having held one UID, for `cardHistory`: `p1` and `p2` are the UID's placeholders.
 * Example: `preparedOn(db, whitelistEntriesSql('?', '?')).all(uid, uid)`, `query(whitelistEntriesSql('$1', '$1'), [uid])`.
 */
export const whitelistEntriesSql = (p1: string, p2: string) => `
  SELECT o.partner_id, o.id AS list_id, o.partner_identifier, w.evco_id, w.added_at, NULL AS removed_at
    FROM whitelists w JOIN whitelist_owners o ON o.id = w.list_id WHERE w.uid = ${p1}
  UNION ALL
  SELECT o.partner_id, o.id AS list_id, o.partner_identifier, r.evco_id, r.added_at, r.removed_at
    FROM whitelist_removals r JOIN whitelist_owners o ON o.id = r.list_id WHERE r.uid = ${p2}`;

/** One entry of `cardHistory`, from its row. Example: `toWhitelistEntry(row).listId`. */
export function toWhitelistEntry(r: WhitelistEntryRow): WhitelistEntry {
  const e: WhitelistEntry = { partnerId: Number(r.partner_id), partnerIdentifier: r.partner_identifier, listId: Number(r.list_id) };
  if (r.evco_id) e.evcoId = r.evco_id;
  if (r.added_at) e.addedAt = r.added_at;
  if (r.removed_at) e.removedAt = r.removed_at;
  return e;
}

/**
 * The ISO time before which a list's removals are pruned when the list is replaced at `at`.
 * Example: `removalsPrunedBefore('2026-07-01T00:00:00.000Z')` is 180 days earlier.
 */
export function removalsPrunedBefore(at: string): string {
  return new Date(Date.parse(at) - WHITELIST_REMOVAL_RETENTION_MS).toISOString();
}
