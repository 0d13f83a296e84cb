/** The `outbox` row both engines read (migrations 500, 510, 890 and 895) and its entry. */
import type { OutboxEntry, OutboxState } from '../outbox.js';

/** An `outbox` row as `SELECT *` gives it (payload is JSON text). */
export interface OutboxRow {
  id: number; partner_id: number; call: string; payload: string; subject: string | null; state: OutboxState;
  attempts: number; next_attempt_at: number; last_error: string | null; last_code: number | null;
  created_at: number; delivered_at: number | null; retried_at: number | null; holds_partner: number;
  /** PostgreSQL: when its claim runs out (migration 895); not part of the entry. */
  claimed_until?: number | null;
}

/** The entry of a row; NULL columns are left out. Example: `rows.map(toEntry)`. */
export function toEntry(r: OutboxRow): OutboxEntry {
  const e: OutboxEntry = {
    id: r.id, partnerId: r.partner_id, call: r.call, payload: JSON.parse(r.payload), state: r.state,
    attempts: r.attempts, nextAttemptAt: r.next_attempt_at, createdAt: r.created_at,
  };
  if (r.subject !== null) e.subject = r.subject;
  if (r.last_error !== null) e.lastError = r.last_error;
  if (r.last_code !== null) e.lastCode = r.last_code;
  if (r.delivered_at !== null) e.deliveredAt = r.delivered_at;
  if (r.retried_at !== null) e.retriedAt = r.retried_at;
  if (r.holds_partner) e.holdsPartner = true;
  return e;
}
