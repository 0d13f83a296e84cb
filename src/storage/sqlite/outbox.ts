/** SQLite implementation of OutboxRepository (table from migrations 500 and 510). */
import type { OutboxEntry, OutboxItemInput, OutboxRepository, OutboxState } from '../outbox.js';
import { onOutboxSignal } from '../outbox-signal.js';
import type { SqliteDatabase } from './database.js';
import { insertOutboxRows, supersededCount } from './outbox-insert.js';
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
/** Open rows read ahead per partner by nextAfter: one read transaction per this many deliveries. */
const NEXT_WINDOW = 8;
/** A partner's next open rows after a given one: one seek in `outbox_open` (partner_id, id). */
const NEXT_OPEN_SQL = `SELECT * FROM outbox WHERE partner_id = ? AND id > ? AND state IN ('pending','failing') ORDER BY partner_id, id LIMIT ${NEXT_WINDOW}`;
const DELIVERED_SQL = "UPDATE outbox SET state = 'delivered', attempts = attempts + 1, delivered_at = ?, last_code = ? WHERE id = ?";

/**
 * The entry of a row whose payload is parsed only when read; `payloadJson` (not enumerable) is the
 * stored JSON, which the worker sends as is (`nextAfter` answers these).
 */
function entryWithJson(row: OutboxRow): OutboxEntry {
  const json = row.payload;
  const e = toEntry({ ...row, payload: 'null' });
  let parsed: unknown;
  let done = false;
  Object.defineProperty(e, 'payload', {
    enumerable: true, configurable: true,
    get: () => (done ? parsed : ((done = true), (parsed = JSON.parse(json)))),
    set: (v: unknown) => { done = true; parsed = v; },
  });
  Object.defineProperty(e, 'payloadJson', { value: json, enumerable: false });
  return e;
}

/** The outbox on SQLite. Example: `await new SqliteOutbox(db).due(Date.now(), 32)`. */
export class SqliteOutbox implements OutboxRepository {
  /** Delivered marks waiting for the write that records them all (see markDelivered). */
  private marks: Array<{ id: number; now: number; code: number }> = [];
  private marking: Promise<void> | undefined;
  /**
   * Per partner, its open rows following `after` (the last one nextAfter answered), as read at
   * most NEXT_WINDOW deliveries ago, while no CDR superseded a row since (`superseded`).
   */
  private ahead = new Map<number, { after: number; rows: OutboxRow[]; superseded: number }>();

  constructor(private readonly s: SqliteDatabase) {}

  async enqueue(items: OutboxItemInput[], now: number): Promise<number[]> {
    return this.s.write((db) => insertOutboxRows(db, items, now));
  }

  async due(now: number, limit: number): Promise<OutboxEntry[]> {
    this.ahead.clear(); // read-ahead lives within one round of the worker: from one `due` to the next
    const heads = preparedOn(this.s.db, HEADS_SQL).all(now) as Array<{ id: number; next_attempt_at: number }>;
    // Oldest due first, ties by id: the order the previous ORDER BY next_attempt_at, id gave.
    if (heads.length > 1) heads.sort((a, b) => a.next_attempt_at - b.next_attempt_at || a.id - b.id);
    const byId = preparedOn(this.s.db, OPEN_ROW_SQL);
    const entries: OutboxEntry[] = [];
    for (const h of heads) {
      if (entries.length >= limit) break;
      const row = byId.get(h.id) as OutboxRow | undefined;
      if (row) entries.push(entryWithJson(row));
    }
    return entries;
  }

  /**
   * The partner's oldest open entry after `afterId` when it is due at `now` (the outbox worker
   * sends a partner's queue back to back with it: OutboxRepository.nextAfter).
   */
  async nextAfter(partnerId: number, afterId: number, now: number): Promise<OutboxEntry | undefined> {
    const db = this.s.db;
    let ahead = this.ahead.get(partnerId);
    if (!ahead || ahead.after !== afterId || ahead.rows.length === 0 || ahead.superseded !== supersededCount(db)) {
      // Rows are only appended behind these or, by this process, superseded or settled: what was
      // read is still the partner's queue in order while the count is unchanged.
      ahead = { after: afterId, rows: preparedOn(db, NEXT_OPEN_SQL).all(partnerId, afterId) as OutboxRow[], superseded: supersededCount(db) };
      this.ahead.set(partnerId, ahead);
    }
    const row = ahead.rows[0];
    if (!row || row.next_attempt_at > now) {
      this.ahead.delete(partnerId);
      return undefined;
    }
    ahead.rows.shift();
    ahead.after = row.id;
    return entryWithJson(row);
  }

  /**
   * Marks queued before the write queue's next flush are recorded by one write (one savepoint,
   * one statement run per mark) whose commit and fsync every caller awaits.
   */
  markDelivered(id: number, now: number, code: number): Promise<void> {
    this.marks.push({ id, now, code });
    if (this.marking) return this.marking;
    const marking = this.s.write((db) => {
      const marks = this.marks;
      this.marks = [];
      this.marking = undefined; // a mark queued from here on goes into the next write
      const stmt = preparedOn(db, DELIVERED_SQL);
      for (const m of marks) stmt.run(m.now, m.code, m.id);
    });
    this.marking = marking;
    // Rejected before it ran (storage closed or unusable): its marks fail with it, later ones get a new write.
    marking.catch(() => {
      if (this.marking === marking) {
        this.marking = undefined;
        this.marks = [];
      }
    });
    return marking;
  }

  async markFailed(id: number, f: { error: string; code?: number; nextAttemptAt: number; dead: boolean }): Promise<void> {
    this.ahead.clear();
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
    this.ahead.clear();
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
