/**
 * The SQL of whitelists that has to run inside another write's transaction: replacing one list
 * with a diff (big lists stay fast: one read, chunked multi-row statements), and enqueueing the
 * merged whitelist for offline-mode CPOs while superseding their stale pushes.
 */
import type Database from 'better-sqlite3';
import type { WhitelistPush } from '../authorization.js';
import type { Db } from './database.js';
import { insertOutboxRows } from './outbox-insert.js';
import { diffSorted, removalsPrunedBefore } from '../rows/whitelist.js';

/** Rows per multi-row statement: 500 x 2 parameters stays far below SQLite's variable limit. */
const CHUNK = 500;

/** Runs `sqlFor(n)` over `items` in chunks of CHUNK, preparing each statement shape once. */
function chunked<T>(db: Db, items: readonly T[], sqlFor: (n: number) => string, args: (chunk: readonly T[]) => unknown[]): void {
  const prepared = new Map<number, Database.Statement<unknown[]>>();
  for (let i = 0; i < items.length; i += CHUNK) {
    const chunk = items.slice(i, i + CHUNK);
    let stmt = prepared.get(chunk.length);
    if (!stmt) prepared.set(chunk.length, (stmt = db.prepare<unknown[]>(sqlFor(chunk.length))));
    stmt.run(...args(chunk));
  }
}

/**
 * Records the removal at `?` (the first parameter) of the rows of `whitelists` matching `where`; a
 * UID removed again replaces its earlier removal.
 */
const removalsOf = (where: string) => `INSERT INTO whitelist_removals (list_id, uid, evco_id, added_at, removed_at)
  SELECT list_id, uid, evco_id, added_at, ? FROM whitelists WHERE ${where}
  ON CONFLICT (list_id, uid) DO UPDATE SET evco_id = excluded.evco_id, added_at = excluded.added_at, removed_at = excluded.removed_at`;

/**
 * Makes a partner identifier's whitelist exactly `uids`; returns how many were added and removed.
 * Added UIDs carry `at` as their `added_at`, removed ones go to `whitelist_removals` with `at`
 * (migration 850), and removals older than the retention are pruned.
 * Example: `replaceListRows(db, 'pid…', 7, ['04A2B3C4'], iso)` inside `SqliteDatabase.write`.
 */
export function replaceListRows(db: Db, partnerIdentifier: string, partnerId: number, uids: readonly string[], at: string): { added: number; removed: number; total: number } {
  const listId = db
    .prepare(
      'INSERT INTO whitelist_owners (partner_identifier, partner_id, updated_at) VALUES (?, ?, ?) ON CONFLICT (partner_identifier) DO UPDATE SET partner_id = excluded.partner_id, updated_at = excluded.updated_at RETURNING id',
    )
    .pluck()
    .get(partnerIdentifier, partnerId, at) as number;
  const old = db.prepare('SELECT uid FROM whitelists WHERE list_id = ? ORDER BY uid').pluck().all(listId) as string[];
  const { added, removed, total } = diffSorted(old, uids);
  db.prepare('DELETE FROM whitelist_removals WHERE list_id = ? AND removed_at < ?').run(listId, removalsPrunedBefore(at));
  if (removed.length === old.length && old.length > 0) {
    db.prepare(removalsOf('list_id = ?')).run(at, listId);
    db.prepare('DELETE FROM whitelists WHERE list_id = ?').run(listId);
  } else {
    const inList = (n: number) => `list_id = ? AND uid IN (${'?,'.repeat(n - 1)}?)`;
    chunked(db, removed, (n) => removalsOf(inList(n)), (c) => [at, listId, ...c]);
    chunked(db, removed, (n) => `DELETE FROM whitelists WHERE ${inList(n)}`, (c) => [listId, ...c]);
  }
  chunked(db, added, (n) => `INSERT INTO whitelists (list_id, uid, added_at) VALUES ${'(?, ?, ?),'.repeat(n - 1)}(?, ?, ?)`, (c) => c.flatMap((u) => [listId, u, at]));
  return { added: added.length, removed: removed.length, total };
}

/** Every whitelisted UID and every UID of an active account, sorted and unique. */
export function mergedWhitelistRows(db: Db): string[] {
  return db
    .prepare(
      `SELECT uid FROM whitelists
       UNION
       SELECT r.uid FROM account_rfids r JOIN accounts a ON a.id = r.account_id WHERE a.locked = 0 AND a.has_payment = 1
       ORDER BY 1`,
    )
    .pluck()
    .all() as string[];
}

/** The outbox subject of whitelist pushes (operators see it in `oioi outbox list`). */
export const WHITELIST_SUBJECT = 'whitelist';

/**
 * Enqueues the merged whitelist as `rfid-post` for each target and marks that target's older,
 * undelivered whitelist pushes `superseded`: each push is the complete list, so only the newest
 * one matters and a long outage does not queue many stale copies.
 */
export function enqueueWhitelistPush(db: Db, push: WhitelistPush | undefined): number[] {
  if (!push || push.targets.length === 0) return [];
  const rfids = mergedWhitelistRows(db);
  const supersede = db.prepare(
    "UPDATE outbox SET state = 'superseded' WHERE partner_id = ? AND call = 'rfid-post' AND subject = ? AND state IN ('pending', 'failing', 'dead')",
  );
  for (const t of push.targets) supersede.run(t.partnerId, WHITELIST_SUBJECT);
  return insertOutboxRows(
    db,
    push.targets.map((t) => ({ partnerId: t.partnerId, call: 'rfid-post', subject: WHITELIST_SUBJECT, payload: { rfids, 'partner-identifier': t.partnerIdentifier } })),
    push.now,
  );
}
