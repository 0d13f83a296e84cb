// Mirrors postgres/migrations/895 so both engines keep the same columns (`oioi migrate`); on SQLite
// one process works the outbox and nothing claims entries, so the column stays NULL.
export const sql = `
ALTER TABLE outbox ADD COLUMN claimed_until INTEGER;
`;
