/**
 * Inserting outbox rows inside another write's transaction (a CDR and its forwarding commit
 * together, or not at all).
 */
import type { OutboxItemInput } from '../outbox.js';
import type { Db } from './database.js';
import { signalOutbox } from '../outbox-signal.js';
import { preparedOn } from './statement-cache.js';

/** Inserts outbox rows with the given connection; call it inside a `SqliteDatabase.write` fn. */
export function insertOutboxRows(db: Db, items: readonly OutboxItemInput[], now: number): number[] {
  if (items.length === 0) return [];
  const stmt = preparedOn(db, 'INSERT INTO outbox (partner_id, call, payload, subject, state, attempts, next_attempt_at, created_at) VALUES (?, ?, ?, ?, \'pending\', 0, ?, ?)');
  const ids = items.map((i) => Number(stmt.run(i.partnerId, i.call, JSON.stringify(i.payload), i.subject ?? null, now, now).lastInsertRowid));
  signalOutbox(db); // wakes this process's outbox worker once the transaction has committed
  return ids;
}
