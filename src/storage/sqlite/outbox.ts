/** SQLite implementation of OutboxRepository (table from migrations 500, 510, 890 and 895). */
import { queueFrontLength, type DueOptions, type OutboxEntry, type OutboxFailure, type OutboxItemInput, type OutboxRepository, type OutboxState } from '../outbox.js';
import { onOutboxSignal, type OutboxSignalListener } from '../outbox-signal.js';
import type { SqliteDatabase } from './database.js';
import { insertOutboxRows } from './outbox-insert.js';
import { toEntry, type OutboxRow } from '../rows/outbox.js';
import { preparedOn } from './statement-cache.js';

/**
 * The first rows of each partner's queue (its open rows in id order), as much of them as `due`
 * needs to pick a partner's entries: one seek per partner in the partial index `outbox_open`, so a
 * round costs the same whatever the backlog (a MIN(id) ... GROUP BY over the open rows read it all,
 * 16 ms at 60k open rows). Every outbox row's partner is in `partners` (foreign key). Only what
 * the choice needs is read here; the chosen rows are read whole by id. `INDEXED BY`: with a LIMIT
 * it cannot see, SQLite walked the table in id order instead, past every row delivered so far (8% of
 * the hub's CPU in the cdr benchmark). The hold check is pinned to `outbox_holding` likewise: given
 * another partial index over the open rows, SQLite checked it by reading every open row of the
 * partner (40 ms a read at 80,000 open rows, against 37 µs).
 */
const queueFront = (which: string) => `
  SELECT o.partner_id, o.id, o.subject, o.next_attempt_at FROM partners p
  JOIN outbox o ON o.id IN (SELECT h.id FROM outbox h INDEXED BY outbox_open WHERE h.partner_id = p.id AND h.state IN ('pending','failing') ORDER BY h.id LIMIT ? + 0)
  WHERE ${which} AND NOT EXISTS (SELECT 1 FROM outbox x INDEXED BY outbox_holding WHERE x.partner_id = p.id AND x.holds_partner = 1 AND x.state IN ('pending','failing'))`;
/** Each held partner's oldest holding row (the probe), when due: one seek in `outbox_holding` (pinned, as in queueFront). */
const probes = (which: string) => `
  SELECT o.partner_id, o.id, o.subject, o.next_attempt_at FROM partners p
  JOIN outbox o ON o.id = (SELECT h.id FROM outbox h INDEXED BY outbox_holding WHERE h.partner_id = p.id AND h.holds_partner = 1 AND h.state IN ('pending','failing') ORDER BY h.id LIMIT 1)
  WHERE o.next_attempt_at <= ? AND ${which}`;
/** Every partner but those in a JSON array (DueOptions.skipPartners), or one partner (DueOptions.partner). */
const ALL_BUT = 'p.id NOT IN (SELECT value FROM json_each(?))';
const ONE = 'p.id = ?';
/** The queue-front reads `due` runs (exported for the plan test). */
export const FRONT_SQL = { allBut: queueFront(ALL_BUT), one: queueFront(ONE) };
const PROBES_SQL = { allBut: probes(ALL_BUT), one: probes(ONE) };
/** A chosen row read again by id: still open (another process, `oioi outbox`, may have changed it in between). */
const OPEN_ROW_SQL = "SELECT * FROM outbox WHERE id = ? AND state IN ('pending','failing')";
const DELIVERED_SQL = "UPDATE outbox SET state = 'delivered', attempts = attempts + 1, delivered_at = ?, last_code = ?, holds_partner = 0 WHERE id = ?";

interface FrontRow { partner_id: number; id: number; subject: string | null; next_attempt_at: number }

/**
 * Picks from queue fronts (rows of each partner in id order) the entries `due` answers: per partner
 * the oldest open row of each subject when it is due, at most `perPartner`. A subject whose oldest
 * open row is not due waits with it (its later rows are not taken). Rows without subject are one
 * subject. Example: `pickSendable(rows, Date.now(), 8)`.
 */
function pickSendable(front: readonly FrontRow[], now: number, perPartner: number): FrontRow[] {
  const picked: FrontRow[] = [];
  let partner = -1;
  let seen = new Set<string | null>();
  let taken = 0;
  for (const r of front) {
    if (r.partner_id !== partner) {
      partner = r.partner_id;
      seen = new Set();
      taken = 0;
    }
    if (taken >= perPartner || seen.has(r.subject)) continue;
    seen.add(r.subject);
    if (r.next_attempt_at > now) continue;
    picked.push(r);
    taken++;
  }
  return picked;
}

/**
 * The entry of a row whose payload is parsed only when read; `payloadJson` (not enumerable) is the
 * stored JSON, which the worker sends as is (`due` answers these).
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

/** A delivery markDelivered records: the row, when, and the code the partner answered. */
interface DeliveredMark { id: number; now: number; code: number }

/** The outbox on SQLite. Example: `await new SqliteOutbox(db).due(Date.now(), 32)`. */
export class SqliteOutbox implements OutboxRepository {
  /** Delivered marks waiting for the write that records them all (see markDelivered). */
  private marks: DeliveredMark[] = [];
  private marking: Promise<void> | undefined;

  constructor(private readonly s: SqliteDatabase) {}

  async enqueue(items: OutboxItemInput[], now: number): Promise<number[]> {
    return this.s.write((db) => insertOutboxRows(db, items, now));
  }

  async due(now: number, limit: number, _leaseMs?: number, { perPartner = 1, partner, skipPartners = [] }: DueOptions = {}): Promise<OutboxEntry[]> {
    const which = partner === undefined ? 'allBut' : 'one';
    const whom = partner ?? JSON.stringify(skipPartners);
    return this.s.read((db) => {
      const front = (preparedOn(db, FRONT_SQL[which]).all(queueFrontLength(perPartner), whom) as FrontRow[])
        .sort((a, b) => a.partner_id - b.partner_id || a.id - b.id);
      const chosen = pickSendable(front, now, perPartner).concat(preparedOn(db, PROBES_SQL[which]).all(now, whom) as FrontRow[]);
      // Oldest due first, ties by id.
      chosen.sort((a, b) => a.next_attempt_at - b.next_attempt_at || a.id - b.id);
      const byId = preparedOn(db, OPEN_ROW_SQL);
      const entries: OutboxEntry[] = [];
      for (const c of chosen) {
        if (entries.length >= limit) break;
        const row = byId.get(c.id) as OutboxRow | undefined;
        if (row) entries.push(entryWithJson(row));
      }
      return entries;
    });
  }

  /**
   * Marks queued before the write queue's next flush are recorded by one write (one
   * statement run per mark) whose commit and fsync every caller awaits.
   */
  markDelivered(id: number, now: number, code: number): Promise<void> {
    this.marks.push({ id, now, code });
    if (this.marking) return this.marking;
    let marks: DeliveredMark[] | undefined;
    const marking = this.s.write((db) => {
      // Taken on the first run only: a batch rolled back and run again (SqliteDatabase.flush) must
      // record the same marks.
      if (!marks) {
        marks = this.marks;
        this.marks = [];
        this.marking = undefined; // a mark queued from here on goes into the next write
      }
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

  async markFailed(id: number, f: OutboxFailure): Promise<void> {
    await this.s.write((db) =>
      preparedOn(db, 'UPDATE outbox SET state = ?, attempts = attempts + 1, last_error = ?, last_code = ?, next_attempt_at = ?, holds_partner = ? WHERE id = ? AND state IN (\'pending\',\'failing\')')
        .run(f.dead ? 'dead' : 'failing', f.error.slice(0, 1000), f.code ?? null, f.nextAttemptAt, f.holdsPartner ? 1 : 0, id),
    );
  }

  async release(partnerId: number): Promise<number> {
    return this.s.write((db) =>
      preparedOn(db, "UPDATE outbox SET holds_partner = 0 WHERE partner_id = ? AND holds_partner = 1 AND state IN ('pending','failing')").run(partnerId).changes,
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
    const set = "SET state = 'pending', attempts = 0, next_attempt_at = ?, retried_at = ?, holds_partner = 0";
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

  onEnqueue(fn: OutboxSignalListener): () => void {
    return onOutboxSignal(this.s.db, fn);
  }
}
