/**
 * RFID authorization as storage keeps it (shared/protocol.md, "Authorization (RFID)"): the hub's
 * own driver accounts, the whitelists EMPs/OEMs post, and which partner authorized which UID (the
 * CDR slice routes by it). Implemented by sqlite/ and, later, postgres/.
 */

/** A driver account of the hub itself (the hub acting as an EMP). */
export interface AccountRecord {
  id: number;
  /** Canonical spelling (upper case, `*` separators). */
  evcoId: string;
  /** Normalized UIDs, sorted. */
  rfids: string[];
  locked: boolean;
  hasPayment: boolean;
  createdAt: string;
}

export interface NewAccount {
  evcoId: string;
  rfids: string[];
  locked: boolean;
  hasPayment: boolean;
}

/**
 * A CPO that receives the merged whitelist: its partner id and the partner identifier the hub
 * writes into the pushed `rfid-post` (docs/protocol-decisions.md, "Authorization").
 */
export interface WhitelistPushTarget {
  partnerId: number;
  partnerIdentifier: string;
}

/** Ask a change to enqueue the merged whitelist for these CPOs in the same transaction. */
export interface WhitelistPush {
  targets: readonly WhitelistPushTarget[];
  /** ms since epoch: the outbox rows' creation and first due time. */
  now: number;
}

/** What replacing a whitelist did. `added` is rfid-post's `processed`. */
export interface WhitelistReplaceResult {
  added: number;
  removed: number;
  total: number;
  /** Outbox ids of the pushes enqueued (empty when the list did not change). */
  outboxIds: number[];
}

/** A whitelist entry that knows a UID. */
export interface WhitelistHit {
  partnerId: number;
  partnerIdentifier: string;
  evcoId?: string;
}

/** Who authorized a UID last: an EMP/OEM partner, or `partnerId: null` for the hub's own accounts. */
export interface AuthorizationRecord {
  partnerId: number | null;
  evcoId?: string;
}

/**
 * A list that holds a UID, or held it: `removedAt` is set once the list's owner posted a list
 * without it (only the latest removal per list and UID is kept).
 */
export interface WhitelistEntry extends WhitelistHit {
  /** The list's id: between lists of one partner, the lower one wins, as in `whitelistHit`. */
  listId: number;
  /** ISO time the UID entered the list; unset for entries older than the list history (migration 850). */
  addedAt?: string;
  /** ISO time the UID left the list. */
  removedAt?: string;
}

/**
 * What the hub knows of who stands behind a UID, for routing its CDRs: the accounts, lists and
 * online authorizations that rfid-verify consults, with their times (hub/cdrs/card-authority.ts).
 */
export interface CardHistory {
  /** The hub's own account holding the UID. */
  account?: { evcoId: string };
  /** Lists holding the UID and lists that held it, in no particular order. */
  entries: WhitelistEntry[];
  /** The latest authorization recorded for it (rfid-verify records those of online EMPs), with its ISO time. */
  authorized?: AuthorizationRecord & { at: string };
}

/**
 * How long a UID's removal from a list is kept (CDRs of sessions that began before it still route
 * to that list's owner); older removals go at the list's next replacement.
 */
export const WHITELIST_REMOVAL_RETENTION_MS = 180 * 24 * 3600_000;

/**
 * What the hub's own sources say about a UID (rfid-verify before asking online EMPs): one of its
 * accounts (which wins), else the whitelist entry of the lowest partner id, else nothing.
 */
export type OfflineVerdict =
  | { source: 'account'; evcoId: string; locked: boolean; hasPayment: boolean }
  | { source: 'whitelist'; hit: WhitelistHit }
  | { source: 'none' };

/** Why an account change was refused; `message` is for the operator. */
export class AccountConflictError extends Error {
  override name = 'AccountConflictError';
  constructor(readonly kind: 'evco-id' | 'uid', readonly value: string, message: string) {
    super(message);
  }
}

export interface AuthorizationRepository {
  /** Adds an account; throws AccountConflictError when the EVCO ID or a UID is taken. */
  addAccount(account: NewAccount, push?: WhitelistPush): Promise<AccountRecord>;
  listAccounts(): Promise<AccountRecord[]>;
  /** The account with this canonical EVCO ID. */
  accountByEvcoId(evcoId: string): Promise<AccountRecord | undefined>;
  /** The account holding this normalized UID. */
  accountByUid(uid: string): Promise<AccountRecord | undefined>;
  /** Locks or unlocks; undefined when no such account. Pushes only when the state changed. */
  setAccountLocked(evcoId: string, locked: boolean, push?: WhitelistPush): Promise<AccountRecord | undefined>;
  /**
   * Replaces the whole whitelist of a partner identifier with `uids` (normalized; duplicates
   * allowed). Pushes only when the list changed.
   */
  replaceWhitelist(partnerIdentifier: string, partnerId: number, uids: readonly string[], push?: WhitelistPush): Promise<WhitelistReplaceResult>;
  /**
   * Enqueues the merged whitelist as it is now for these targets (a CPO that just became one),
   * superseding their undelivered pushes. Returns the outbox ids.
   */
  pushWhitelist(push: WhitelistPush): Promise<number[]>;
  /** The whitelist entry for a UID; when several lists hold it, the one of the lowest partner id. */
  whitelistHit(uid: string): Promise<WhitelistHit | undefined>;
  /** UIDs of one partner identifier's whitelist, sorted. */
  whitelist(partnerIdentifier: string): Promise<string[]>;
  /** Every whitelisted UID plus every UID of an active account (not locked, with payment), sorted, unique. */
  mergedWhitelist(): Promise<string[]>;
  /**
   * rfid-verify's offline sources in one read: `accountByUid`, else `whitelistHit`. It writes
   * nothing: the accounts and the lists' history (`cardHistory`) already tell whom a CDR goes to.
   * Example: `(await repo.verifyOffline('04A2B3C4')).source === 'whitelist'`.
   */
  verifyOffline(uid: string): Promise<OfflineVerdict>;
  /** Remembers who authorized a UID (the latest authorization wins). */
  recordAuthorization(uid: string, by: AuthorizationRecord, at: Date): Promise<void>;
  /** Who authorized this normalized UID last. Example: `await repo.authorizedBy('04A2B3C4')`. */
  authorizedBy(uid: string): Promise<AuthorizationRecord | undefined>;
  /**
   * The account, list entries (current and removed) and latest recorded authorization of a UID
   * (normalized here, as a CPO may send it otherwise), for CDR routing.
   * Example: `(await repo.cardHistory('04A2B3C4')).entries.length`.
   */
  cardHistory(uid: string): Promise<CardHistory>;
}
