/** CDRs and fleet cards, mirroring sqlite/migrations/450. */
export const sql = `
CREATE TABLE cdrs (
  session_id TEXT PRIMARY KEY,
  partner_id BIGINT NOT NULL REFERENCES partners(id),
  partner_identifier TEXT NOT NULL,
  evse_id TEXT NOT NULL,
  evse_key TEXT NOT NULL,
  user_type TEXT NOT NULL,
  user_id TEXT NOT NULL,
  started_at BIGINT,
  stopped_at BIGINT,
  energy DOUBLE PRECISION,
  payload TEXT NOT NULL,
  raw TEXT NOT NULL,
  versions INTEGER NOT NULL DEFAULT 1,
  received_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX cdrs_partner ON cdrs(partner_id, received_at);
CREATE TABLE fleet_cards (
  partner_id BIGINT NOT NULL REFERENCES partners(id),
  fm_card_uid TEXT NOT NULL,
  fleet_member_uid TEXT NOT NULL,
  evco_key TEXT,
  uid TEXT,
  card_status TEXT NOT NULL,
  data TEXT NOT NULL,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (partner_id, fm_card_uid)
);
CREATE INDEX fleet_cards_evco ON fleet_cards(evco_key);
CREATE INDEX fleet_cards_uid ON fleet_cards(uid);
`;
