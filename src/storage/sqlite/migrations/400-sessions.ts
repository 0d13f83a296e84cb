/**
 * Remote sessions and reservations (shared/protocol.md, "Remote start/stop and reservations").
 * `reservations` keeps the exact columns the POI slice reads for station-get-surface
 * (id, connector_id, partner_id, evco_id, starts_at, ends_at, state, cpo_reservation_id); the
 * extra columns and `reservation_identifiers` serve routing and reservation-stop.
 */
export const sql = `
CREATE TABLE remote_sessions (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  partner_id INTEGER NOT NULL REFERENCES partners(id),   -- who started it (EMP/OEM)
  cpo_partner_id INTEGER NOT NULL REFERENCES partners(id),
  connector_id INTEGER NOT NULL,                         -- hub connector id
  evse_id TEXT NOT NULL,                                 -- as the CPO posted it (what it was sent)
  evse_key TEXT NOT NULL,
  user_type TEXT NOT NULL,
  user_id TEXT NOT NULL,                                 -- as sent
  user_key TEXT NOT NULL,                                -- normalized: canonical EVCO ID, padded UID
  cpo_session_id TEXT,
  stoppable INTEGER NOT NULL DEFAULT 0,
  state TEXT NOT NULL DEFAULT 'active' CHECK (state IN ('active','stopped')),
  started_at INTEGER NOT NULL,                           -- ms since epoch
  stopped_at INTEGER
);
CREATE INDEX remote_sessions_evse ON remote_sessions(evse_key, state);
CREATE INDEX remote_sessions_cpo_id ON remote_sessions(cpo_session_id);
CREATE TABLE reservations (
  id INTEGER PRIMARY KEY,
  connector_id INTEGER NOT NULL,                         -- hub connector id
  partner_id INTEGER NOT NULL,                           -- who reserved (EMP/OEM)
  evco_id TEXT,                                          -- the first EVCO ID of the request
  starts_at INTEGER NOT NULL,                            -- ms since epoch
  ends_at INTEGER NOT NULL,
  state TEXT NOT NULL DEFAULT 'active' CHECK (state IN ('active','cancelled','ended')),
  cpo_reservation_id TEXT,
  cpo_partner_id INTEGER,
  evse_id TEXT,
  ended_at INTEGER
);
CREATE INDEX reservations_connector ON reservations(connector_id, state, ends_at);
CREATE TABLE reservation_identifiers (
  reservation_id INTEGER NOT NULL REFERENCES reservations(id),
  kind TEXT NOT NULL CHECK (kind IN ('evco-id','rfid')),
  value_key TEXT NOT NULL,                               -- canonical EVCO ID or normalized UID
  PRIMARY KEY (reservation_id, kind, value_key)
);
CREATE INDEX reservation_identifiers_value ON reservation_identifiers(value_key);
`;
