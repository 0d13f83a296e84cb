export const sql = `
CREATE TABLE partners (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL,
  roles TEXT NOT NULL,                 -- comma-separated: cpo,emp,oem,fleet
  endpoint_url TEXT,
  endpoint_key TEXT,                   -- the key the hub presents at the partner's endpoint
  rfid_auth TEXT NOT NULL DEFAULT 'none' CHECK (rfid_auth IN ('online','offline','none')),
  receives_cdrs INTEGER NOT NULL DEFAULT 1,
  created_at TEXT NOT NULL
);
CREATE TABLE partner_identifiers (
  identifier TEXT PRIMARY KEY,
  partner_id INTEGER NOT NULL REFERENCES partners(id)
);
CREATE INDEX partner_identifiers_partner ON partner_identifiers(partner_id);
CREATE TABLE evco_prefixes (
  prefix TEXT PRIMARY KEY,             -- upper case, no separators: DE8PS
  partner_id INTEGER NOT NULL REFERENCES partners(id)
);
CREATE TABLE api_keys (
  id TEXT PRIMARY KEY,                 -- the public part of the key
  partner_id INTEGER NOT NULL REFERENCES partners(id),
  secret_hash TEXT NOT NULL,           -- sha256 of the secret part, hex
  created_at TEXT NOT NULL,
  revoked_at TEXT
);
CREATE INDEX api_keys_partner ON api_keys(partner_id);
`;
