/** Whitelists keep their history, mirroring sqlite/migrations/850 (see there why). */
export const sql = `
ALTER TABLE whitelists ADD COLUMN added_at TEXT;
CREATE TABLE whitelist_removals (
  list_id BIGINT NOT NULL REFERENCES whitelist_owners(id),
  uid TEXT COLLATE "C" NOT NULL,
  evco_id TEXT,
  added_at TEXT,
  removed_at TEXT NOT NULL,
  PRIMARY KEY (list_id, uid)
);
CREATE INDEX whitelist_removals_uid ON whitelist_removals(uid);
`;
