// At most one active reservation per connector, enforced by the database (the same rule as on
// PostgreSQL, where several hubs share one database). Older duplicates, which only a race could
// have left, end first so the index can be built.
export const sql = `
UPDATE reservations SET state = 'ended', ended_at = ends_at
  WHERE state = 'active' AND id NOT IN (SELECT max(id) FROM reservations WHERE state = 'active' GROUP BY connector_id);
CREATE UNIQUE INDEX reservations_one_active ON reservations(connector_id) WHERE state = 'active';
`;
