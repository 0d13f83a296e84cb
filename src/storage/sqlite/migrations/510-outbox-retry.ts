// An operator's `oioi outbox retry` restarts an entry's dead-letter clock without rewriting when it
// was created (shared/cli.md, "outbox"): age for the dead-letter rule counts from this when set.
export const sql = `
ALTER TABLE outbox ADD COLUMN retried_at INTEGER;
`;
