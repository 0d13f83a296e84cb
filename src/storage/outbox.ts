/**
 * The durable outbox: messages the hub owes partners (CDRs, whitelists). Rows are written in the
 * same transaction as the change that causes them, delivered at least once, in order per partner.
 */
export type OutboxState = 'pending' | 'failing' | 'delivered' | 'dead' | 'superseded';

export interface OutboxItemInput {
  partnerId: number;
  /** The OIOI call name to send. */
  call: string;
  /** The call's payload (the value under the call key). */
  payload: unknown;
  subject?: string;
}

export interface OutboxEntry {
  id: number;
  partnerId: number;
  call: string;
  payload: unknown;
  subject?: string;
  state: OutboxState;
  attempts: number;
  nextAttemptAt: number;
  lastError?: string;
  lastCode?: number;
  createdAt: number;
  deliveredAt?: number;
  /** When an operator last put it back to pending; the dead-letter age counts from here. */
  retriedAt?: number;
  /** `payload` as stored JSON, when the engine has it at hand: the worker sends it as is (not enumerable). */
  readonly payloadJson?: string;
}

export interface OutboxRepository {
  /** Adds items on their own (changes that need the same transaction use the engine's insert helper). */
  enqueue(items: OutboxItemInput[], now: number): Promise<number[]>;
  /**
   * For each partner, its oldest open entry when that entry is due at `now`; at most `limit`.
   * Engines shared by several processes claim what they return for `leaseMs` (default 60 s): no
   * other process sees it due until it is settled or the lease runs out (its claimer died).
   */
  due(now: number, limit: number, leaseMs?: number): Promise<OutboxEntry[]>;
  markDelivered(id: number, now: number, code: number): Promise<void>;
  markFailed(id: number, failure: { error: string; code?: number; nextAttemptAt: number; dead: boolean }): Promise<void>;
  list(filter?: { state?: OutboxState; partnerId?: number; limit?: number }): Promise<OutboxEntry[]>;
  /** Puts dead or failing entries (all, or the given ids) back to pending, due now. Returns how many. */
  retry(ids: number[] | 'dead', now: number): Promise<number>;
  counts(): Promise<Array<{ partnerId: number; state: OutboxState; count: number }>>;
  /** Calls `fn` after this process commits new outbox rows (a hint to look at `due` now). Returns unsubscribe. */
  onEnqueue(fn: () => void): () => void;
  /**
   * Optional: the partner's oldest open entry after `afterId` when it is due at `now`, so the worker
   * can send a partner's queue back to back. Only engines whose queue one process owns offer it
   * (SQLite); the others (PostgreSQL, whose `due` claims each head for its process) leave it out
   * and get one entry per partner per `due`.
   */
  nextAfter?(partnerId: number, afterId: number, now: number): Promise<OutboxEntry | undefined>;
}
