/**
 * PostgreSQL implementation of OutboxRepository, for several hub processes on one database:
 * `due` claims what it returns (see DUE_SQL), and new rows wake every process (LISTEN/NOTIFY)
 * besides the one that wrote them (in-process signal, like SQLite).
 */
import pg from 'pg';
import { queueFrontLength, type DueOptions, type OutboxEntry, type OutboxFailure, type OutboxItemInput, type OutboxRepository, type OutboxState } from '../outbox.js';
import { onOutboxSignal, signalOutbox, type OutboxSignalListener } from '../outbox-signal.js';
import { Batcher } from './batch.js';
import type { NamedStatement, PgDatabase } from './database.js';
import { insertOutboxRows, OUTBOX_CHANNEL, partnersOfNotify } from './outbox-insert.js';
import { toEntry, type OutboxRow } from '../rows/outbox.js';

/** How long a claimed entry stays with the process that claimed it before another may retry it, unless the caller says. */
export const OUTBOX_LEASE_MS = 60_000;

/**
 * Claims what `due` answers (OutboxRepository.due), in one statement: rows another process is
 * claiming right now are skipped (SKIP LOCKED), and a claimed row's next_attempt_at moves a lease
 * ahead, so no other process sees it due until markDelivered/markFailed settles it or the lease
 * runs out (the claiming process died); `claimed_until` says so (migration 895). A claimed row
 * stays open and first of its subject (superseding skips it), so its subject's later rows wait,
 * whichever process holds it. The entries are answered as they were before the claim.
 * Parameters: $1 now, $2 limit, $3 the lease's end, $4 per partner, $5 the queue front's length
 * (queueFrontLength), $6 the one partner to look at or NULL, $7 partners to leave out (DueOptions).
 *
 * The partners with open rows are found by a skip scan of the partial index `outbox_open`
 * (partner_id, id): one seek for the first open row, then one per partner for the first open row
 * of the next partner; each partner's probe (oldest holding row) by one seek in `outbox_holding`,
 * and the front of each unheld partner's queue by one range of `outbox_open`. That range is asked
 * for as `(partner_id, id) >= (partner, head)` in (partner_id, id) order, which only `outbox_open`
 * serves: asked for as `partner_id = partner ORDER BY id`, the planner walked the primary key
 * instead, past every row delivered since (146 ms a round after draining 100,000 rows). A round so
 * costs a few seeks per partner with open rows whatever the backlog. PostgreSQL has no skip scan of its
 * own, and `DISTINCT ON (partner_id)` read and sorted every open row: about 100 ms a round at
 * 100,000 open rows, and draining a backlog after an outage grew with its square. The chosen rows
 * are then read by primary key (`= ANY` of their ids): joined instead, the planner, guessing a
 * hundred partners, scanned the whole table on small ones.
 */
export const DUE_SQL = `
  WITH RECURSIVE head AS (
    (SELECT partner_id, id FROM outbox WHERE state IN ('pending','failing') ORDER BY partner_id, id LIMIT 1)
    UNION ALL
    SELECT n.partner_id, n.id FROM head h CROSS JOIN LATERAL (
      SELECT partner_id, id FROM outbox WHERE state IN ('pending','failing') AND partner_id > h.partner_id ORDER BY partner_id, id LIMIT 1
    ) n
  ), queue AS (
    SELECT h.partner_id, h.id AS head, p.id AS probe FROM head h LEFT JOIN LATERAL (
      SELECT id FROM outbox WHERE partner_id = h.partner_id AND holds_partner = 1 AND state IN ('pending','failing') ORDER BY id LIMIT 1
    ) p ON true
    WHERE ($6::bigint IS NULL OR h.partner_id = $6) AND h.partner_id <> ALL ($7::bigint[])
  ), front AS (
    SELECT f.id, f.partner_id, f.next_attempt_at, row_number() OVER (PARTITION BY f.partner_id, f.subject ORDER BY f.id) AS nth_of_subject
    FROM queue q CROSS JOIN LATERAL (
      SELECT id, partner_id, subject, next_attempt_at FROM outbox
      WHERE (partner_id, id) >= (q.partner_id, q.head) AND partner_id <= q.partner_id AND state IN ('pending','failing') ORDER BY partner_id, id LIMIT $5
    ) f WHERE q.probe IS NULL
  ), sendable AS (
    SELECT id, row_number() OVER (PARTITION BY partner_id ORDER BY id) AS nth FROM front WHERE nth_of_subject = 1 AND next_attempt_at <= $1
    UNION ALL
    SELECT probe, 1 FROM queue WHERE probe IS NOT NULL
  ), picked AS (
    SELECT o.id, o.next_attempt_at FROM outbox o
    WHERE o.id = ANY (ARRAY(SELECT id FROM sendable WHERE nth <= $4)) AND o.next_attempt_at <= $1 AND o.state IN ('pending','failing')
    ORDER BY o.next_attempt_at, o.id LIMIT $2
    FOR UPDATE OF o SKIP LOCKED
  )
  UPDATE outbox o SET next_attempt_at = $3, claimed_until = $3 FROM picked WHERE o.id = picked.id
  RETURNING o.id, o.partner_id, o.call, o.payload, o.subject, o.state, o.attempts, picked.next_attempt_at, o.last_error, o.last_code,
    o.created_at, o.delivered_at, o.retried_at, o.holds_partner`;

/** A delivered entry's mark: its id, when and the answer's result code. */
interface DeliveredMark { id: number; now: number; code: number }

/**
 * Marks entries delivered ($1 ids, $2 times, $3 result codes, one element an entry): the marks the
 * outbox worker makes in one event-loop turn, as one statement, where each was one round trip.
 */
const DELIVERED: NamedStatement = {
  name: 'oioi_outbox_delivered',
  text: `UPDATE outbox o SET state = 'delivered', attempts = o.attempts + 1, delivered_at = u.now, last_code = u.code, holds_partner = 0, claimed_until = NULL
    FROM unnest($1::bigint[], $2::bigint[], $3::int[]) AS u(id, now, code) WHERE o.id = u.id`,
};

/** The outbox on PostgreSQL. Example: `await new PgOutbox(db).due(Date.now(), 32)`. */
export class PgOutbox implements OutboxRepository {
  private listener: pg.Client | undefined;
  private listening: Promise<void> | undefined;
  private stopped = false;
  private subscribers = 0;

  /** The delivered marks of one turn, in one statement (DELIVERED). */
  private readonly deliveredMarks: Batcher<DeliveredMark, void>;

  constructor(private readonly db: PgDatabase) {
    this.deliveredMarks = new Batcher<DeliveredMark, void>(async (marks) => {
      await db.query(DELIVERED, [marks.map((m) => m.id), marks.map((m) => m.now), marks.map((m) => m.code)]);
      return marks.map(() => undefined);
    });
  }

  async enqueue(items: OutboxItemInput[], now: number): Promise<number[]> {
    const ids = await this.db.tx((c) => insertOutboxRows(c, items, now));
    if (ids.length) signalOutbox(this.db, items.map((i) => i.partnerId));
    return ids;
  }

  async due(now: number, limit: number, leaseMs: number = OUTBOX_LEASE_MS, { perPartner = 1, partner, skipPartners = [] }: DueOptions = {}): Promise<OutboxEntry[]> {
    const rows = await this.db.query<OutboxRow>({ name: 'oioi_outbox_due', text: DUE_SQL }, [now, limit, now + leaseMs, perPartner, queueFrontLength(perPartner), partner ?? null, skipPartners]);
    return rows.sort((a, b) => a.next_attempt_at - b.next_attempt_at || a.id - b.id).map(toEntry);
  }

  async markDelivered(id: number, now: number, code: number): Promise<void> {
    await this.deliveredMarks.push({ id, now, code });
  }

  async markFailed(id: number, f: OutboxFailure): Promise<void> {
    await this.db.query(
      "UPDATE outbox SET state = $1, attempts = attempts + 1, last_error = $2, last_code = $3, next_attempt_at = $4, holds_partner = $5, claimed_until = NULL WHERE id = $6 AND state IN ('pending','failing')",
      [f.dead ? 'dead' : 'failing', f.error.slice(0, 1000), f.code ?? null, f.nextAttemptAt, f.holdsPartner ? 1 : 0, id],
    );
  }

  async release(partnerId: number): Promise<number> {
    const rows = await this.db.query(
      "UPDATE outbox SET holds_partner = 0 WHERE partner_id = $1 AND holds_partner = 1 AND state IN ('pending','failing') RETURNING id",
      [partnerId],
    );
    // No wake-up: the lane that released the partner goes on with its next round itself.
    return rows.length;
  }

  async list(filter: { state?: OutboxState; partnerId?: number; limit?: number } = {}): Promise<OutboxEntry[]> {
    const where: string[] = [];
    const args: unknown[] = [];
    if (filter.state) where.push(`state = $${args.push(filter.state)}`);
    if (filter.partnerId !== undefined) where.push(`partner_id = $${args.push(filter.partnerId)}`);
    const sql = `SELECT * FROM outbox ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT $${args.push(filter.limit ?? 1000)}`;
    return (await this.db.query<OutboxRow>(sql, args)).map(toEntry);
  }

  async retry(ids: number[] | 'dead', now: number): Promise<number> {
    // Attempts restart at 0 so the back-off starts short again; the last error stays for the record.
    const set = "SET state = 'pending', attempts = 0, next_attempt_at = $1, retried_at = $1, holds_partner = 0";
    const rows = ids === 'dead'
      ? await this.db.query(`UPDATE outbox ${set} WHERE state = 'dead' RETURNING id`, [now])
      : await this.db.query(`UPDATE outbox ${set} WHERE id = ANY($2::bigint[]) AND state IN ('dead','failing') RETURNING id`, [now, [...new Set(ids)]]);
    if (rows.length) signalOutbox(this.db);
    return rows.length;
  }

  async counts(): Promise<Array<{ partnerId: number; state: OutboxState; count: number }>> {
    const rows = await this.db.query<{ partner_id: number; state: OutboxState; n: number }>(
      'SELECT partner_id, state, COUNT(*) AS n FROM outbox GROUP BY partner_id, state ORDER BY partner_id, state COLLATE "C"',
    );
    return rows.map((r) => ({ partnerId: r.partner_id, state: r.state, count: r.n }));
  }

  onEnqueue(fn: OutboxSignalListener): () => void {
    const off = onOutboxSignal(this.db, fn);
    this.subscribers++;
    this.listen();
    let subscribed = true;
    return () => {
      if (subscribed) this.subscribers--;
      subscribed = false;
      off();
    };
  }

  /**
   * LISTENs on a connection of its own (a pooled one would be handed to other queries) so other
   * processes' commits wake this one. Best effort: if it fails, the worker's poll still finds everything.
   */
  private listen(): void {
    if (this.listening || this.stopped) return;
    const client = new pg.Client(this.db.pool.options);
    this.listener = client;
    const lost = () => {
      // Polling covers the gap; a second later a new connection listens again while anyone subscribes.
      if (this.listener !== client) return;
      this.listener = undefined;
      this.listening = undefined;
      client.end().catch(() => {});
      setTimeout(() => {
        if (this.subscribers > 0) this.listen();
      }, 1000).unref();
    };
    client.on('error', lost);
    client.on('end', lost);
    client.on('notification', (n) => {
      // This process's own NOTIFYs come back too: with the partners named, the worker skips them
      // while those partners' lanes are busy (it heard of the rows in process already).
      if (n.channel === OUTBOX_CHANNEL) signalOutbox(this.db, partnersOfNotify(n.payload));
    });
    this.listening = client.connect()
      .then(() => client.query(`LISTEN ${OUTBOX_CHANNEL}`))
      .then(() => undefined, lost);
  }

  /** Closes the LISTEN connection (Storage.close). */
  async stop(): Promise<void> {
    this.stopped = true;
    const client = this.listener;
    this.listener = undefined;
    if (this.listening) await this.listening.catch(() => {});
    if (client) await client.end().catch(() => {});
  }
}
