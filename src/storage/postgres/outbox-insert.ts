/**
 * Inserting outbox rows inside another write's transaction (a CDR and its forwarding commit
 * together, or not at all). NOTIFY is transactional: other hubs on the database hear it only
 * after the COMMIT, and look for due entries at once instead of at their next poll.
 */
import type { OutboxItemInput } from '../outbox.js';
import type { Client } from './database.js';

/** The NOTIFY channel of new outbox rows. */
export const OUTBOX_CHANNEL = 'oioi_outbox';

/** Inserts outbox rows in one statement on `client` (inside its transaction); returns their ids in order. */
export async function insertOutboxRows(client: Client, items: readonly OutboxItemInput[], now: number): Promise<number[]> {
  if (items.length === 0) return [];
  const { rows } = await client.query<{ id: number }>(
    `INSERT INTO outbox (partner_id, call, payload, subject, state, attempts, next_attempt_at, created_at)
     SELECT p, c, d, s, 'pending', 0, $5, $5 FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[]) WITH ORDINALITY AS u(p, c, d, s, n)
     ORDER BY n RETURNING id`,
    [items.map((i) => i.partnerId), items.map((i) => i.call), items.map((i) => JSON.stringify(i.payload)), items.map((i) => i.subject ?? null), now],
  );
  await client.query(`NOTIFY ${OUTBOX_CHANNEL}`);
  return rows.map((r) => r.id).sort((a, b) => a - b);
}
