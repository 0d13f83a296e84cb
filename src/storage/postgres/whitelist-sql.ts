/**
 * The SQL of whitelists that runs inside another write's transaction, as sqlite/whitelist-sql.ts:
 * replacing one list by its difference (one read, one DELETE, one INSERT however long the list),
 * and enqueueing the merged whitelist for offline-mode CPOs while superseding their stale pushes.
 */
import type { WhitelistPush } from '../authorization.js';
import type { Client, Queryable } from './database.js';
import { insertOutboxRows } from './outbox-insert.js';
import { diffSorted, removalsPrunedBefore } from '../rows/whitelist.js';

/** Serializes whitelist pushes across processes: the newest push must carry the newest list. */
const WHITELIST_PUSH_LOCK = 7_014_010_402;

/** The outbox subject of whitelist pushes (operators see it in `oioi outbox list`). */
export const WHITELIST_SUBJECT = 'whitelist';

/**
 * Makes a partner identifier's whitelist exactly `uids`; returns how many were added and removed.
 * The owner row is upserted first, which locks it: two replacements of one list take turns. Added
 * UIDs carry `at` as their `added_at`, removed ones go to `whitelist_removals` (migration 850).
 * Example: `await replaceListRows(client, 'pid…', 7, ['04A2B3C4'], iso)` inside `PgDatabase.tx`.
 */
export async function replaceListRows(c: Client, partnerIdentifier: string, partnerId: number, uids: readonly string[], at: string): Promise<{ added: number; removed: number; total: number }> {
  const listId = (await c.query<{ id: number }>(
    `INSERT INTO whitelist_owners (partner_identifier, partner_id, updated_at) VALUES ($1, $2, $3)
     ON CONFLICT (partner_identifier) DO UPDATE SET partner_id = excluded.partner_id, updated_at = excluded.updated_at RETURNING id`,
    [partnerIdentifier, partnerId, at],
  )).rows[0]!.id;
  const old = (await c.query<{ uid: string }>('SELECT uid FROM whitelists WHERE list_id = $1 ORDER BY uid', [listId])).rows.map((r) => r.uid);
  const { added, removed, total } = diffSorted(old, uids);
  await c.query('DELETE FROM whitelist_removals WHERE list_id = $1 AND removed_at < $2', [listId, removalsPrunedBefore(at)]);
  if (removed.length) {
    const all = removed.length === old.length;
    await c.query(
      `WITH gone AS (DELETE FROM whitelists WHERE list_id = $1 ${all ? '' : 'AND uid = ANY($3::text[])'} RETURNING list_id, uid, evco_id, added_at)
       INSERT INTO whitelist_removals (list_id, uid, evco_id, added_at, removed_at) SELECT list_id, uid, evco_id, added_at, $2 FROM gone
       ON CONFLICT (list_id, uid) DO UPDATE SET evco_id = excluded.evco_id, added_at = excluded.added_at, removed_at = excluded.removed_at`,
      all ? [listId, at] : [listId, at, removed],
    );
  }
  if (added.length) await c.query('INSERT INTO whitelists (list_id, uid, added_at) SELECT $1, unnest($2::text[]), $3', [listId, added, at]);
  return { added: added.length, removed: removed.length, total };
}

/** Every whitelisted UID and every UID of an active account, sorted bytewise and unique. */
export async function mergedWhitelistRows(c: Queryable): Promise<string[]> {
  const { rows } = await c.query<{ uid: string }>(
    `SELECT uid COLLATE "C" AS uid FROM whitelists
     UNION
     SELECT r.uid COLLATE "C" FROM account_rfids r JOIN accounts a ON a.id = r.account_id WHERE a.locked = 0 AND a.has_payment = 1
     ORDER BY 1`,
  );
  return rows.map((r) => r.uid);
}

/**
 * Enqueues the merged whitelist as `rfid-post` for each target and supersedes that target's older
 * undelivered whitelist pushes (each push is the whole list). Returns the new outbox ids.
 */
export async function enqueueWhitelistPush(c: Client, push: WhitelistPush | undefined): Promise<number[]> {
  if (!push || push.targets.length === 0) return [];
  await c.query('SELECT pg_advisory_xact_lock($1)', [WHITELIST_PUSH_LOCK]);
  const rfids = await mergedWhitelistRows(c);
  await c.query(
    // A push another hub is sending right now is left open: the new one waits behind it (migration 895).
    "UPDATE outbox SET state = 'superseded' WHERE partner_id = ANY($1::bigint[]) AND call = 'rfid-post' AND subject = $2 AND state IN ('pending', 'failing', 'dead') AND (claimed_until IS NULL OR claimed_until <= $3)",
    [push.targets.map((t) => t.partnerId), WHITELIST_SUBJECT, push.now],
  );
  return insertOutboxRows(
    c,
    push.targets.map((t) => ({ partnerId: t.partnerId, call: 'rfid-post', subject: WHITELIST_SUBJECT, payload: { rfids, 'partner-identifier': t.partnerIdentifier } })),
    push.now,
  );
}
