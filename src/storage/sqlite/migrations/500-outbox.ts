export const sql = `
CREATE TABLE outbox (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  partner_id INTEGER NOT NULL REFERENCES partners(id),
  call TEXT NOT NULL,                  -- the OIOI call to send, e.g. session-post
  payload TEXT NOT NULL,               -- JSON of the call's payload
  subject TEXT,                        -- what it is about (session id, 'whitelist'), for operators
  state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending','failing','delivered','dead','superseded')),
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL,    -- ms since epoch
  last_error TEXT,
  last_code INTEGER,
  created_at INTEGER NOT NULL,         -- ms since epoch
  delivered_at INTEGER
);
CREATE INDEX outbox_open ON outbox(partner_id, id) WHERE state IN ('pending','failing');
CREATE INDEX outbox_state ON outbox(state, id);
`;
