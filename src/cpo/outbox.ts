/**
 * The durable outbox toward the hub: every station-post, connector-post-status and session-post
 * is first a row in SQLite, then delivered strictly in order (a status must not overtake the
 * station it belongs to, a final CDR must not overtake the ongoing one). Network errors, 429 and
 * 5xx are retried with jittered exponential back-off, holding the queue; a refusal (4xx, or a
 * business code the hub will repeat) is parked as `failed` with its reason, never resent blindly.
 */
import type { CallName, RequestOf } from '../protocol/index.js';
import { isSuccess } from '../protocol/index.js';
import { backoffDelay, OioiClient } from '../transport/client/index.js';
import type { Logger } from '../transport/server/index.js';
import type { Db } from './store.js';

export interface OutboxOptions {
  db: Db;
  client: OioiClient;
  log: Logger;
  minDelayMs?: number;
  maxDelayMs?: number;
  now?: () => number;
}

interface Row { id: number; call: CallName; payload: string; attempts: number; next_at: number }

/** Counts by state, for logs and tests. */
export interface OutboxCounts { pending: number; failed: number }

/**
 * Example: `const o = new CpoOutbox({ db, client, log }); o.enqueue('connector-post-status', {...}); o.start()`.
 */
export class CpoOutbox {
  private readonly db: Db;
  private readonly client: OioiClient;
  private readonly log: Logger;
  private readonly minDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly now: () => number;
  private running = false;
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> | undefined;
  private readonly abort = new AbortController();

  constructor({ db, client, log, minDelayMs = 1000, maxDelayMs = 10 * 60_000, now = Date.now }: OutboxOptions) {
    this.db = db;
    this.client = client;
    this.log = log;
    this.minDelayMs = minDelayMs;
    this.maxDelayMs = maxDelayMs;
    this.now = now;
  }

  /** Stores a message for the hub (durably, before returning) and wakes the sender. */
  enqueue<K extends CallName>(call: K, payload: RequestOf<K>): number {
    const id = Number(this.db.prepare('INSERT INTO outbox (call, payload, created_at) VALUES (?, ?, ?)').run(call, JSON.stringify(payload), this.now()).lastInsertRowid);
    this.kick();
    return id;
  }

  /** Starts delivering (rows left by an earlier run first); delivered rows older than a week are pruned. */
  start(): void {
    this.db.prepare("DELETE FROM outbox WHERE state = 'delivered' AND created_at < ?").run(this.now() - 7 * 24 * 3600_000);
    this.running = true;
    this.kick();
  }

  /** Stops after the message in flight, if any; undelivered rows stay for the next start. */
  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.timer);
    this.abort.abort();
    await this.inFlight?.catch(() => {});
  }

  counts(): OutboxCounts {
    const rows = this.db.prepare("SELECT state, COUNT(*) AS n FROM outbox WHERE state IN ('pending', 'failed') GROUP BY state").all() as Array<{ state: string; n: number }>;
    const get = (s: string) => rows.find((r) => r.state === s)?.n ?? 0;
    return { pending: get('pending'), failed: get('failed') };
  }

  private kick(delayMs = 0): void {
    if (!this.running || this.inFlight) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.inFlight = this.deliverHead().finally(() => {
        this.inFlight = undefined;
      });
    }, delayMs);
  }

  /** Sends the oldest pending row, then schedules the next step. */
  private async deliverHead(): Promise<void> {
    const row = this.db.prepare("SELECT id, call, payload, attempts, next_at FROM outbox WHERE state = 'pending' ORDER BY id LIMIT 1").get() as Row | undefined;
    if (!row || !this.running) return;
    const wait = row.next_at - this.now();
    if (wait > 0) {
      this.inFlight = undefined;
      return this.kick(wait);
    }
    let retryable: string | undefined;
    try {
      const answer = await this.client.send(row.call, JSON.parse(row.payload), { signal: this.abort.signal, validate: false });
      const code = answer.result.code;
      if (isSuccess(code)) {
        this.db.prepare("UPDATE outbox SET state = 'delivered', attempts = attempts + 1, last_error = NULL WHERE id = ?").run(row.id);
        this.log.info({ msg: 'delivered to hub', call: row.call, outboxId: row.id });
      } else if (answer.httpStatus === 429 || answer.httpStatus >= 500) {
        retryable = `HTTP ${answer.httpStatus}, code ${code}: ${answer.result.message}`;
      } else {
        this.db.prepare("UPDATE outbox SET state = 'failed', attempts = attempts + 1, last_error = ? WHERE id = ?").run(`code ${code}: ${answer.result.message}`, row.id);
        this.log.error({ msg: 'hub refused a message; parked as failed', call: row.call, outboxId: row.id, code, reason: answer.result.message });
      }
    } catch (err) {
      if (!this.running) return;
      retryable = (err as Error).message;
    }
    if (retryable !== undefined) {
      const delay = Math.max(this.minDelayMs / 2, backoffDelay(row.attempts, { retries: 0, minDelayMs: this.minDelayMs, maxDelayMs: this.maxDelayMs }));
      this.db.prepare('UPDATE outbox SET attempts = attempts + 1, next_at = ?, last_error = ? WHERE id = ?').run(this.now() + delay, retryable, row.id);
      this.log.warn({ msg: 'hub not reachable; will retry', call: row.call, outboxId: row.id, attempt: row.attempts + 1, retryInMs: delay, error: retryable });
      this.inFlight = undefined;
      return this.kick(delay);
    }
    this.inFlight = undefined;
    this.kick();
  }
}
