/**
 * Whitelists keep their history: when each UID entered a list, and when it left it. rfid-verify
 * used to record every whitelist hit in `authorizations` (a durable write per verify, about half
 * of its cost) so that the CDR could be routed to the list's owner; the lists' own history says
 * the same without any write per verify, and says it also for a session the CPO authorized from
 * its local copy of the list without asking, and for a card removed from the list while it charged
 * (hub/cdrs/card-authority.ts). `added_at` stays NULL for entries older than this migration.
 */
export const sql = `
ALTER TABLE whitelists ADD COLUMN added_at TEXT;
-- The latest removal of each UID from each list (bounded: one row per list and UID ever listed,
-- pruned after WHITELIST_REMOVAL_RETENTION_MS at the list's next replacement).
CREATE TABLE whitelist_removals (
  list_id INTEGER NOT NULL REFERENCES whitelist_owners(id),
  uid TEXT NOT NULL,
  evco_id TEXT,
  added_at TEXT,
  removed_at TEXT NOT NULL,
  PRIMARY KEY (list_id, uid)
) WITHOUT ROWID;
CREATE INDEX whitelist_removals_uid ON whitelist_removals(uid);
`;
