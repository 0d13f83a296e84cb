/**
 * Inserting outbox rows inside another write's transaction (a CDR and its forwarding commit
 * together, or not at all).
 */
import type { OutboxItemInput } from '../outbox.js';
import type { Db } from './database.js';
import { signalOutbox } from '../outbox-signal.js';
import { preparedOn } from './statement-cache.js';

/**
 * Inserts outbox rows with the given connection; call it inside a `SqliteDatabase.write` fn.
 * `json` serializes a payload: a caller that already has the JSON of one (a CDR's record) passes
 * a function that returns it instead of serializing the same object again.
 */
export function insertOutboxRows(db: Db, items: readonly OutboxItemInput[], now: number, json: (payload: unknown) => string = JSON.stringify): number[] {
  if (items.length === 0) return [];
  const stmt = preparedOn(db, 'INSERT INTO outbox (partner_id, call, payload, subject, state, attempts, next_attempt_at, created_at) VALUES (?, ?, ?, ?, \'pending\', 0, ?, ?)');
  const ids = items.map((i) => Number(stmt.run(i.partnerId, i.call, json(i.payload), i.subject ?? null, now, now).lastInsertRowid));
  signalOutbox(db, items.map((i) => i.partnerId)); // wakes this process's outbox worker once the transaction has committed
  return ids;
}
