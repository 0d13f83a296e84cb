/**
 * Prepared statements reused per connection. Preparing a statement costs more than running most
 * of ours, and hot paths (a CDR, an rfid-verify, the outbox worker) run the same SQL thousands of
 * times a second, so each SQL text is prepared once per connection and kept.
 */
import type Database from 'better-sqlite3';

const caches = new WeakMap<Database.Database, Map<string, Database.Statement>>();

/**
 * The statement for `sql` on `db`, prepared on first use. Callers must not switch its mode
 * (`pluck`, `raw`) differently between uses of the same SQL text.
 * Example: `preparedOn(db, 'SELECT 1 FROM cdrs WHERE session_id = ?').get(id)`.
 */
export function preparedOn(db: Database.Database, sql: string): Database.Statement {
  let cache = caches.get(db);
  if (!cache) caches.set(db, (cache = new Map()));
  let stmt = cache.get(sql);
  if (!stmt) cache.set(sql, (stmt = db.prepare(sql)));
  return stmt;
}
