// Mirrors sqlite/migrations/510: when an operator last put an entry back to pending.
export const sql = `
ALTER TABLE outbox ADD COLUMN retried_at BIGINT;
`;
