/**
 * The outbox sends several entries of a partner at once, one per subject (src/storage/outbox.ts),
 * and an entry that failed because of the partner itself (unreachable, 5xx, refused our key)
 * holds the partner's whole queue until it gets through: `holds_partner` is 1 on such an entry.
 * An entry the partner refused on its merits (a non-success code for that one message) holds only
 * its own subject. `outbox_holding` finds a partner's oldest holding entry with one seek.
 */
export const sql = `
ALTER TABLE outbox ADD COLUMN holds_partner INTEGER NOT NULL DEFAULT 0;
CREATE INDEX outbox_holding ON outbox(partner_id, id) WHERE holds_partner = 1 AND state IN ('pending','failing');
`;
