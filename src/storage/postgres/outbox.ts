/**
 * PostgreSQL implementation of OutboxRepository, for several hub processes on one database:
 * `due` claims what it returns (see DUE_SQL), and new rows wake every process (LISTEN/NOTIFY)
 * besides the one that wrote them (in-process signal, like SQLite).
 */
import pg from 'pg';
import type { OutboxEntry, OutboxItemInput, OutboxRepository, OutboxState } from '../outbox.js';
import { onOutboxSignal, signalOutbox } from '../outbox-signal.js';
import type { PgDatabase } from './database.js';
import { insertOutboxRows, OUTBOX_CHANNEL } from './outbox-insert.js';
import { toEntry, type OutboxRow } from '../rows/outbox.js';

/** How long a claimed entry stays with the process that claimed it before another may retry it, unless the caller says. */
export const OUTBOX_LEASE_MS = 60_000;

/**
 * Claims each partner's head (oldest open entry) when it is due, in one statement: rows another
 * process is claiming right now are skipped (SKIP LOCKED), and a claimed row's next_attempt_at
 * moves a lease ahead, so no other process sees it due until markDelivered/markFailed settles it
 * or the lease runs out (the claiming process died). Only heads are ever claimed, so a partner's
 * second entry waits while its first is open, whichever process holds it. The entries are answered
 * as they were before the claim.
 *
 * The heads are found by a skip scan of the partial index `outbox_open` (partner_id, id): one seek
 * for the first open row, then one per partner for the first open row of the next partner, so a
 * round costs a seek per partner with open rows whatever the backlog. PostgreSQL has no skip scan
 * of its own, and `DISTINCT ON (partner_id)` read and sorted every open row: about 100 ms a round
 * at 100,000 open rows, and a round sends one entry per partner, so draining a backlog after an
 * outage grew with its square. The heads are then read by primary key (`= ANY` of their ids): joined
 * to the CTE instead, the planner, guessing a hundred heads, scanned the whole table on small ones.
 */
export const DUE_SQL = `
  WITH RECURSIVE head AS (
    (SELECT partner_id, id FROM outbox WHERE state IN ('pending','failing') ORDER BY partner_id, id LIMIT 1)
    UNION ALL
    SELECT n.partner_id, n.id FROM head h CROSS JOIN LATERAL (
      SELECT partner_id, id FROM outbox WHERE state IN ('pending','failing') AND partner_id > h.partner_id ORDER BY partner_id, id LIMIT 1
    ) n
  ), picked AS (
    SELECT o.id, o.next_attempt_at FROM outbox o
    WHERE o.id = ANY (ARRAY(SELECT id FROM head)) AND o.next_attempt_at <= $1 AND o.state IN ('pending','failing')
    ORDER BY o.next_attempt_at, o.id LIMIT $2
    FOR UPDATE OF o SKIP LOCKED
  )
  UPDATE outbox o SET next_attempt_at = $3 FROM picked WHERE o.id = picked.id
  RETURNING o.id, o.partner_id, o.call, o.payload, o.subject, o.state, o.attempts, picked.next_attempt_at, o.last_error, o.last_code,
    o.created_at, o.delivered_at, o.retried_at`;

/** The outbox on PostgreSQL. Example: `await new PgOutbox(db).due(Date.now(), 32)`. */
export class PgOutbox implements OutboxRepository {
  private listener: pg.Client | undefined;
  private listening: Promise<void> | undefined;
  private stopped = false;
  private subscribers = 0;

  constructor(private readonly db: PgDatabase) {}

  async enqueue(items: OutboxItemInput[], now: number): Promise<number[]> {
    const ids = await this.db.tx((c) => insertOutboxRows(c, items, now));
    if (ids.length) signalOutbox(this.db);
    return ids;
  }

  async due(now: number, limit: number, leaseMs: number = OUTBOX_LEASE_MS): Promise<OutboxEntry[]> {
    const rows = await this.db.query<OutboxRow>(DUE_SQL, [now, limit, now + leaseMs]);
    return rows.sort((a, b) => a.next_attempt_at - b.next_attempt_at || a.id - b.id).map(toEntry);
  }

  async markDelivered(id: number, now: number, code: number): Promise<void> {
    await this.db.query("UPDATE outbox SET state = 'delivered', attempts = attempts + 1, delivered_at = $1, last_code = $2 WHERE id = $3", [now, code, id]);
  }

  async markFailed(id: number, f: { error: string; code?: number; nextAttemptAt: number; dead: boolean }): Promise<void> {
    await this.db.query(
      "UPDATE outbox SET state = $1, attempts = attempts + 1, last_error = $2, last_code = $3, next_attempt_at = $4 WHERE id = $5 AND state IN ('pending','failing')",
      [f.dead ? 'dead' : 'failing', f.error.slice(0, 1000), f.code ?? null, f.nextAttemptAt, id],
    );
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
    const set = "SET state = 'pending', attempts = 0, next_attempt_at = $1, retried_at = $1";
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

  onEnqueue(fn: () => void): () => void {
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
      if (n.channel === OUTBOX_CHANNEL) signalOutbox(this.db);
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
