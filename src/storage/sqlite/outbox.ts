/** SQLite implementation of OutboxRepository (table from migrations 500 and 510). */
import type { OutboxEntry, OutboxItemInput, OutboxRepository, OutboxState } from '../outbox.js';
import { onOutboxSignal } from '../outbox-signal.js';
import type { SqliteDatabase } from './database.js';
import { insertOutboxRows } from './outbox-insert.js';
import { toEntry, type OutboxRow } from '../rows/outbox.js';
import { preparedOn } from './statement-cache.js';

/**
 * Each partner's queue is the ordered list of its open (pending/failing) rows; only its head may be
 * sent, so a partner coming back after an outage receives messages in the order they were made.
 * The head is found per partner with one seek in the partial index `outbox_open`: a MIN(id) ...
 * GROUP BY over the open rows read the whole backlog on every call (16 ms at 60k open rows, and
 * the worker calls it per delivery). Every outbox row's partner is in `partners` (foreign key).
 *
 * Only the due heads' ids and due times come from SQL; their order and the limit are worked out
 * here and the due rows read by id. Sorting whole rows in SQL (ORDER BY over `o.*`)
 * built a temporary B-tree per call, which cost the worker more than the rest of a delivery's
 * storage work (about 2x the time of this form on a typical backlog).
 */
const HEADS_SQL = `
  SELECT o.id, o.next_attempt_at FROM partners p
  JOIN outbox o ON o.id = (SELECT h.id FROM outbox h WHERE h.partner_id = p.id AND h.state IN ('pending','failing') ORDER BY h.id LIMIT 1)
  WHERE o.next_attempt_at <= ?`;
/** A head read again by id: still open (another process, `oioi outbox`, may have changed it in between). */
const OPEN_ROW_SQL = "SELECT * FROM outbox WHERE id = ? AND state IN ('pending','failing')";

/** The outbox on SQLite. Example: `await new SqliteOutbox(db).due(Date.now(), 32)`. */
export class SqliteOutbox implements OutboxRepository {
  constructor(private readonly s: SqliteDatabase) {}

  async enqueue(items: OutboxItemInput[], now: number): Promise<number[]> {
    return this.s.write((db) => insertOutboxRows(db, items, now));
  }

  async due(now: number, limit: number): Promise<OutboxEntry[]> {
    const heads = preparedOn(this.s.db, HEADS_SQL).all(now) as Array<{ id: number; next_attempt_at: number }>;
    // Oldest due first, ties by id: the order the previous ORDER BY next_attempt_at, id gave.
    if (heads.length > 1) heads.sort((a, b) => a.next_attempt_at - b.next_attempt_at || a.id - b.id);
    const byId = preparedOn(this.s.db, OPEN_ROW_SQL);
    const entries: OutboxEntry[] = [];
    for (const h of heads) {
      if (entries.length >= limit) break;
      const row = byId.get(h.id) as OutboxRow | undefined;
      if (row) entries.push(toEntry(row));
    }
    return entries;
  }

  async markDelivered(id: number, now: number, code: number): Promise<void> {
    await this.s.write((db) => preparedOn(db, "UPDATE outbox SET state = 'delivered', attempts = attempts + 1, delivered_at = ?, last_code = ? WHERE id = ?").run(now, code, id));
  }

  async markFailed(id: number, f: { error: string; code?: number; nextAttemptAt: number; dead: boolean }): Promise<void> {
    await this.s.write((db) =>
      preparedOn(db, 'UPDATE outbox SET state = ?, attempts = attempts + 1, last_error = ?, last_code = ?, next_attempt_at = ? WHERE id = ? AND state IN (\'pending\',\'failing\')')
        .run(f.dead ? 'dead' : 'failing', f.error.slice(0, 1000), f.code ?? null, f.nextAttemptAt, id),
    );
  }

  async list(filter: { state?: OutboxState; partnerId?: number; limit?: number } = {}): Promise<OutboxEntry[]> {
    const where: string[] = [];
    const args: unknown[] = [];
    if (filter.state) { where.push('state = ?'); args.push(filter.state); }
    if (filter.partnerId !== undefined) { where.push('partner_id = ?'); args.push(filter.partnerId); }
    const sql = `SELECT * FROM outbox ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ? + 0`;
    return (this.s.db.prepare(sql).all(...args, filter.limit ?? 1000) as OutboxRow[]).map(toEntry);
  }

  async retry(ids: number[] | 'dead', now: number): Promise<number> {
    // Attempts restart at 0 so the back-off starts short again; the last error stays for the record.
    const set = "SET state = 'pending', attempts = 0, next_attempt_at = ?, retried_at = ?";
    return this.s.write((db) => {
      if (ids === 'dead') return db.prepare(`UPDATE outbox ${set} WHERE state = 'dead'`).run(now, now).changes;
      const stmt = db.prepare(`UPDATE outbox ${set} WHERE id = ? AND state IN ('dead','failing')`);
      return ids.reduce((n, id) => n + stmt.run(now, now, id).changes, 0);
    });
  }

  async counts(): Promise<Array<{ partnerId: number; state: OutboxState; count: number }>> {
    const rows = this.s.db.prepare('SELECT partner_id, state, COUNT(*) AS n FROM outbox GROUP BY partner_id, state ORDER BY partner_id, state').all() as Array<{ partner_id: number; state: OutboxState; n: number }>;
    return rows.map((r) => ({ partnerId: r.partner_id, state: r.state, count: r.n }));
  }

  onEnqueue(fn: () => void): () => void {
    return onOutboxSignal(this.s.db, fn);
  }
}
