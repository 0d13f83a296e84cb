/**
 * CDRs and the fleet subscriptions that route them (shared/protocol.md, "CDRs"). A CDR and the
 * outbox rows that forward it are written in one transaction. Implemented by sqlite/cdrs.ts.
 */
import type { OutboxItemInput } from './outbox.js';
import type { RemoteSessionRecord } from './sessions.js';

/** The remote session a CDR belongs to, asked as `SessionRepository.sessionForCdr` is. */
export interface SessionForCdrQuery { cpoSessionId: string; evseKey: string; userKey: string; startedAfter: number; startedBy: number }

export interface CdrRecord {
  sessionId: string;
  partnerId: number;
  partnerIdentifier: string;
  evseId: string;
  userType: string;
  userId: string;
  /** The record as completed by every post so far. */
  payload: Record<string, unknown>;
  /** The last post as received. */
  raw: unknown;
  versions: number;
  receivedAt: number;
  updatedAt: number;
}

/** What a post does to the stored record, decided inside the transaction from the stored one. */
export type CdrDecision =
  | { action: 'unchanged' }
  | { action: 'reject'; code: number; message: string }
  | {
      action: 'write';
      /** The full record to store. */
      payload: Record<string, unknown>;
      /** Forwarding rows; an older still-open row for the same partner and subject is superseded. */
      outbox: OutboxItemInput[];
    };

export interface CdrPost {
  sessionId: string;
  partnerId: number;
  partnerIdentifier: string;
  evseId: string;
  evseKey: string;
  userType: string;
  userId: string;
  raw: unknown;
  /** ms since epoch. */
  at: number;
  /**
   * Fleet subscriptions to look up inside the write (as `fleetSubscribers` would): their partner
   * ids are `decide`'s second argument. Looked up there, a CDR costs one storage round less.
   */
  fleets?: { evcoKeys: string[]; uids: string[] };
  /**
   * The remote session to look up inside the write (as `sessionForCdr` would): `decide`'s third
   * argument. Looked up there, a CDR costs one read transaction less.
   */
  session?: SessionForCdrQuery;
}

/** Decides a post from the stored record, the fleets subscribed (`CdrPost.fleets`) and the remote session (`CdrPost.session`). */
export type CdrDecider = (existing: CdrRecord | undefined, fleets: number[], session: RemoteSessionRecord | undefined) => CdrDecision;

export interface CdrSaveResult {
  decision: CdrDecision;
  /** The stored record before this post (undefined: new). */
  previous?: CdrRecord;
  outboxIds: number[];
}

/** A fleet card as the hub keeps it: which EVCO ID / UID the fleet wants CDRs for. */
export interface FleetCardInput {
  fmCardUid: string;
  fleetMemberUid: string;
  evcoKey?: string;
  uid?: string;
  cardStatus: string;
  data: Record<string, unknown>;
}

export interface CdrRepository {
  /**
   * Stores a post as `decide` says, with its outbox rows, in one transaction. `fleets` are the
   * subscribers of `post.fleets` (empty without it) and `session` the remote session of
   * `post.session` (undefined without it), both read in the same transaction.
   * Example: `await repo.save(post, (old) => old ? { action: 'unchanged' } : { action: 'write', payload, outbox: [] })`.
   */
  save(post: CdrPost, decide: CdrDecider): Promise<CdrSaveResult>;
  get(sessionId: string): Promise<CdrRecord | undefined>;
  /** Upserts a fleet's cards (fields a later post omits are kept); returns how many were stored. */
  saveFleetCards(partnerId: number, cards: FleetCardInput[], at: number): Promise<number>;
  /** Fleet partners with a live card for any of these EVCO keys or UIDs. */
  fleetSubscribers(q: { evcoKeys: string[]; uids: string[] }): Promise<number[]>;
}
