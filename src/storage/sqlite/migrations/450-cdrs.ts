/**
 * CDRs (session-post) and fleet card subscriptions (shared/protocol.md, "CDRs"). A CDR is keyed by
 * the CPO's globally unique session id; `payload` is the record as completed by later posts,
 * `raw` the payload of the last post as received, or '' when that post is the record itself
 * (rows/cdrs.ts, RAW_IS_PAYLOAD; written so since 2026-12-07, rows written before hold a copy).
 */
export const sql = `
CREATE TABLE cdrs (
  session_id TEXT PRIMARY KEY,
  partner_id INTEGER NOT NULL REFERENCES partners(id),   -- the CPO that posted it
  partner_identifier TEXT NOT NULL,
  evse_id TEXT NOT NULL,
  evse_key TEXT NOT NULL,
  user_type TEXT NOT NULL,
  user_id TEXT NOT NULL,
  started_at INTEGER,                                    -- ms since epoch (session-interval)
  stopped_at INTEGER,
  energy REAL,
  payload TEXT NOT NULL,
  raw TEXT NOT NULL,
  versions INTEGER NOT NULL DEFAULT 1,                   -- how many posts changed it
  received_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX cdrs_partner ON cdrs(partner_id, received_at);
CREATE TABLE fleet_cards (
  partner_id INTEGER NOT NULL REFERENCES partners(id),   -- the fleet
  fm_card_uid TEXT NOT NULL,
  fleet_member_uid TEXT NOT NULL,
  evco_key TEXT,                                         -- canonical EVCO ID
  uid TEXT,                                              -- normalized RFID UID
  card_status TEXT NOT NULL,
  data TEXT NOT NULL,                                    -- the card as last posted (merged)
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (partner_id, fm_card_uid)
);
CREATE INDEX fleet_cards_evco ON fleet_cards(evco_key);
CREATE INDEX fleet_cards_uid ON fleet_cards(uid);
`;
