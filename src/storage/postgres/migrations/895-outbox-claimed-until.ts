/**
 * When the claim of an entry runs out (`due` on PostgreSQL), or NULL when no process holds it. A
 * newer version of a session must not supersede an entry another process is sending right now:
 * the newer one would be the oldest open entry of its subject and could be sent beside it, and the
 * partner could get the older version last. Superseding skips claimed entries, so the newer version
 * waits behind the one in flight. `next_attempt_at` alone cannot tell a claim from a back-off.
 */
export const sql = `
ALTER TABLE outbox ADD COLUMN claimed_until BIGINT;
`;
