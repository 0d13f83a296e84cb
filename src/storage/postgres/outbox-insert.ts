/**
 * Inserting outbox rows inside another write's transaction (a CDR and its forwarding commit
 * together, or not at all). NOTIFY is transactional: other hubs on the database hear it only
 * after the COMMIT, and look for due entries at once instead of at their next poll; its payload
 * names the partners whose queues got rows.
 */
import type { OutboxItemInput } from '../outbox.js';
import { placeholders, type Client } from './database.js';

/** The NOTIFY channel of new outbox rows. */
export const OUTBOX_CHANNEL = 'oioi_outbox';

/**
 * The NOTIFY payload naming the partners whose queues got rows, from the SQL array `partners`:
 * their ids joined by commas ("12,40"), read back by partnersOfNotify. A listening hub whose
 * lanes already serve those partners need not scan every queue (see the outbox worker).
 */
export function notifyPayloadSql(partners: string): string {
  // Each id once; past PostgreSQL's 8000-byte payload limit pg_notify would fail the whole write,
  // so a list that long is sent as '' (every queue may have changed).
  return `(SELECT CASE WHEN length(ids) < 7000 THEN ids ELSE '' END FROM (SELECT coalesce(string_agg(DISTINCT p::text, ','), '') AS ids FROM unnest(${partners}::bigint[]) AS p) AS l)`;
}

/**
 * The NOTIFY of new outbox rows for the partners in the SQL array `partners`, as an expression.
 * Example: `SELECT ${outboxNotifySql('$1')}` with `[[12, 40]]`.
 */
export function outboxNotifySql(partners: string): string {
  return `pg_notify('${OUTBOX_CHANNEL}', ${notifyPayloadSql(partners)})`;
}

/**
 * The partners a NOTIFY payload names, or undefined when it names none or is not ours (an older
 * hub's empty payload, a hand-sent NOTIFY): then every queue may have changed. Example:
 * `partnersOfNotify('12,40')` -> [12, 40]; `partnersOfNotify('')` -> undefined.
 */
export function partnersOfNotify(payload: string | undefined): number[] | undefined {
  if (!payload || !/^\d{1,15}(,\d{1,15})*$/.test(payload)) return undefined;
  return payload.split(',').map(Number);
}

/**
 * The INSERT of outbox rows from five parameters starting at $first: partner ids, calls,
 * payloads, subjects (arrays, see outboxParams) and now. It returns their ids, ascending in the
 * order given. Example: `outboxInsertSql(1)`.
 */
export function outboxInsertSql(first: number): string {
  const [partners, calls, payloads, subjects, now] = placeholders(first, 5);
  return `INSERT INTO outbox (partner_id, call, payload, subject, state, attempts, next_attempt_at, created_at)
    SELECT p, c, d, s, 'pending', 0, ${now}::bigint, ${now}::bigint
      FROM unnest(${partners}::bigint[], ${calls}::text[], ${payloads}::text[], ${subjects}::text[]) WITH ORDINALITY AS u(p, c, d, s, n)
      ORDER BY n
    RETURNING id`;
}

/** The five parameters of outboxInsertSql for `items`. Example: `outboxParams(items, Date.now())`. */
export function outboxParams(items: readonly OutboxItemInput[], now: number): unknown[] {
  return [items.map((i) => i.partnerId), items.map((i) => i.call), items.map((i) => JSON.stringify(i.payload)), items.map((i) => i.subject ?? null), now];
}

/** Inserts outbox rows in one statement on `client` (inside its transaction); returns their ids in order. */
export async function insertOutboxRows(client: Client, items: readonly OutboxItemInput[], now: number): Promise<number[]> {
  if (items.length === 0) return [];
  const { rows } = await client.query<{ id: number }>(outboxInsertSql(1), outboxParams(items, now));
  await client.query(`SELECT ${outboxNotifySql('$1')}`, [items.map((i) => i.partnerId)]);
  return rows.map((r) => r.id).sort((a, b) => a - b);
}
