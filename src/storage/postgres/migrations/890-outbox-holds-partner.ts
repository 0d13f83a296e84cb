// Mirrors sqlite/migrations/890: an entry whose failure was the partner's own holds the partner's queue.
export const sql = `
ALTER TABLE outbox ADD COLUMN holds_partner INTEGER NOT NULL DEFAULT 0;
CREATE INDEX outbox_holding ON outbox(partner_id, id) WHERE holds_partner = 1 AND state IN ('pending','failing');
`;
