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
 * How long an authorization on record stands before a verify saying the same records it again
 * (its `at`): a card verified again within it rewrites nothing.
 */
export const AUTHORIZATION_REFRESH_MS = 3600_000;

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
   * rfid-verify's offline sources in one step: `accountByUid`, else `whitelistHit`, and for an
   * active account (not locked, with payment) or a whitelist hit `recordAuthorization` at `at`,
   * durable before this resolves. Nothing is recorded for a locked or unpaid account or a miss.
   * Example: `(await repo.verifyOffline('04A2B3C4', new Date())).source === 'whitelist'`.
   */
  verifyOffline(uid: string, at: Date): Promise<OfflineVerdict>;
  /** Remembers who authorized a UID (the latest authorization wins). */
  recordAuthorization(uid: string, by: AuthorizationRecord, at: Date): Promise<void>;
  /** Who authorized this normalized UID last, for CDR routing. Example: `await repo.authorizedBy('04A2B3C4')`. */
  authorizedBy(uid: string): Promise<AuthorizationRecord | undefined>;
}
