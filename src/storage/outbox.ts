/**
 * The durable outbox: messages the hub owes partners (CDRs, whitelists). Rows are written in the
 * same transaction as the change that causes them and delivered at least once.
 *
 * Order is kept per subject (a session's CDR versions, a partner's whitelist): a subject's entry is
 * sent only once every older open entry of the same partner and subject is settled, so a partner
 * never receives an older version after a newer one. Entries of different subjects of one partner
 * may be sent side by side (`due`'s `perPartner`): a partner's throughput is then not one message
 * per round trip, and one message it refuses holds back only its own subject. Entries without a
 * subject count as one subject, so they go one at a time in order.
 *
 * A failure that is the partner's own (unreachable, overloaded, refusing our key: `holdsPartner`)
 * holds its whole queue: only its oldest holding entry is sent, one at a time with back-off, as a
 * probe, until the partner answers again (`release`).
 */
import type { OutboxSignalListener } from './outbox-signal.js';
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
  /** Its last failure was the partner's own, so it holds the partner's queue (see above); absent when not. */
  holdsPartner?: true;
  /** `payload` as stored JSON, when the engine has it at hand: the worker sends it as is (not enumerable). */
  readonly payloadJson?: string;
}

/**
 * Rows of a partner's queue front looked at by `due`: enough to find `perPartner` subjects behind
 * a few entries that wait for their back-off. A subject whose open rows all lie further back waits
 * for the rows ahead of it to settle. Example: `queueFrontLength(8) === 32`.
 */
export function queueFrontLength(perPartner: number): number {
  return Math.max(32, perPartner * 4);
}

/** Which entries `due` looks at, beyond the time: see OutboxRepository.due. */
export interface DueOptions {
  perPartner?: number;
  partner?: number;
  skipPartners?: readonly number[];
}

/** A failed attempt as markFailed records it. */
export interface OutboxFailure {
  error: string;
  code?: number;
  nextAttemptAt: number;
  dead: boolean;
  holdsPartner?: boolean;
}

export interface OutboxRepository {
  /** Adds items on their own (changes that need the same transaction use the engine's insert helper). */
  enqueue(items: OutboxItemInput[], now: number): Promise<number[]>;
  /**
   * Entries to send now, at most `limit` in all, oldest due first. Per partner at most `perPartner`
   * (default 1), each the oldest open entry of its subject and due at `now`; for a partner held by a
   * failure of its own, only its oldest holding entry, when due. `partner` looks at that partner
   * only; `skipPartners` leaves those out. Engines shared by several processes claim what they
   * return for `leaseMs` (default 60 s): no other process sees it due until it is settled or the
   * lease runs out (its claimer died).
   */
  due(now: number, limit: number, leaseMs?: number, options?: DueOptions): Promise<OutboxEntry[]>;
  markDelivered(id: number, now: number, code: number): Promise<void>;
  /** Records a failed attempt; `holdsPartner` when the failure was the partner's own (see above). */
  markFailed(id: number, failure: OutboxFailure): Promise<void>;
  /**
   * The partner answered again: its entries that failed by its fault stop holding its queue. Each
   * keeps its own next attempt: besides the probe, such an entry failed once or twice, in the round
   * that found the partner down, so it is due within a back-off or two. (Making them due at once
   * would also make due a probe another process is sending right now.) Returns how many.
   */
  release(partnerId: number): Promise<number>;
  list(filter?: { state?: OutboxState; partnerId?: number; limit?: number }): Promise<OutboxEntry[]>;
  /** Puts dead or failing entries (all, or the given ids) back to pending, due now. Returns how many. */
  retry(ids: number[] | 'dead', now: number): Promise<number>;
  counts(): Promise<Array<{ partnerId: number; state: OutboxState; count: number }>>;
  /**
   * Calls `fn` after this process commits new outbox rows (a hint to look at `due` now), with the
   * partners whose queues got them when known. Returns unsubscribe.
   */
  onEnqueue(fn: OutboxSignalListener): () => void;
}
