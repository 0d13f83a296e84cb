/** RFID authorization: the hub's own accounts, partners' whitelists, who authorized which UID. */
export const sql = `
CREATE TABLE accounts (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  evco_id TEXT NOT NULL UNIQUE,        -- canonical: upper case, '*' separators
  locked INTEGER NOT NULL DEFAULT 0,
  has_payment INTEGER NOT NULL DEFAULT 1,
  created_at TEXT NOT NULL
);
CREATE TABLE account_rfids (
  uid TEXT PRIMARY KEY,                -- normalized; a card belongs to at most one account
  account_id INTEGER NOT NULL REFERENCES accounts(id)
);
CREATE INDEX account_rfids_account ON account_rfids(account_id);
-- One row per partner identifier that posted a whitelist: its owner decides precedence and
-- authorizedBy, and an empty list is still remembered as posted. Entries refer to it by an integer
-- (lists of 100k+ UIDs: a 32-character identifier on every row doubled insert time).
CREATE TABLE whitelist_owners (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  partner_identifier TEXT NOT NULL UNIQUE,
  partner_id INTEGER NOT NULL REFERENCES partners(id),
  updated_at TEXT NOT NULL
);
CREATE TABLE whitelists (
  list_id INTEGER NOT NULL REFERENCES whitelist_owners(id),
  uid TEXT NOT NULL,
  evco_id TEXT,                        -- rfid-post carries none today; kept for lists that do
  PRIMARY KEY (list_id, uid)
) WITHOUT ROWID;
CREATE INDEX whitelists_uid ON whitelists(uid);
-- The latest authorization of each UID (bounded size; CDRs route by it).
CREATE TABLE authorizations (
  uid TEXT PRIMARY KEY,
  partner_id INTEGER REFERENCES partners(id), -- NULL: one of the hub's own accounts
  evco_id TEXT,
  at TEXT NOT NULL
);
`;
