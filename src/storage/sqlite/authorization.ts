/** SQLite implementation of AuthorizationRepository. */
import {
  AccountConflictError,
  type AccountRecord,
  type AuthorizationRecord,
  type AuthorizationRepository,
  type CardHistory,
  type NewAccount,
  type OfflineVerdict,
  type WhitelistHit,
  type WhitelistPush,
  type WhitelistReplaceResult,
} from '../authorization.js';
import { normalizeUid } from '../../protocol/identifiers/uid.js';
import type { Db, SqliteDatabase } from './database.js';
import { enqueueWhitelistPush, mergedWhitelistRows, replaceListRows } from './whitelist-sql.js';
import { preparedOn } from './statement-cache.js';
import { isActive, toAccount, type AccountRow } from '../rows/accounts.js';
import { toWhitelistEntry, whitelistEntriesSql, type WhitelistEntryRow } from '../rows/whitelist.js';

/** The UIDs of an account, sorted (a plucking statement of its own SQL text in the statement cache). */
function rfidsOf(db: Db) {
  const stmt = preparedOn(db, 'SELECT uid FROM account_rfids WHERE account_id = ? ORDER BY uid');
  return stmt.pluck();
}

/** The lists holding a UID (`?`) and their owners; SQLite answers it from the index alone (migration 900). */
export const WHITELIST_HITS_SQL = `SELECT o.partner_id, o.id, o.partner_identifier, w.evco_id FROM whitelists w
  JOIN whitelist_owners o ON o.id = w.list_id
  WHERE w.uid = ?`;

/** WHITELIST_HITS_SQL prepared on `db`, giving raw rows. */
function whitelistHits(db: Db) {
  return preparedOn(db, WHITELIST_HITS_SQL).raw(true);
}

/** A hit row: partner id, list id, partner identifier, EVCO ID. */
type HitRow = [partnerId: number, listId: number, partnerIdentifier: string, evcoId: string | null];

/**
 * The whitelist entry of the lowest partner id (then list) among a UID's hit rows. The few rows of
 * one UID (one per list holding it) are compared here: an ORDER BY ... LIMIT 1 made SQLite open a
 * temporary B-tree on every call, which cost more than the look-up itself.
 */
function firstHit(rows: HitRow[]): WhitelistHit | undefined {
  let row = rows[0];
  if (!row) return undefined;
  for (const r of rows) if (r[0] < row[0] || (r[0] === row[0] && r[1] < row[1])) row = r;
  const hit: WhitelistHit = { partnerId: row[0], partnerIdentifier: row[2] };
  if (row[3]) hit.evcoId = row[3];
  return hit;
}

/** The whitelist entry that decides `uid` (firstHit of its rows). */
function whitelistHitOn(db: Db, uid: string): WhitelistHit | undefined {
  // Rows as arrays (`raw`): no object with named keys per row on rfid-verify's path (about 1 µs).
  return firstHit(whitelistHits(db).all(uid) as HitRow[]);
}

/** The account state of the account holding `uid` (rfid-verify's first source, CDR routing's too). */
function accountOfUid(db: Db, uid: string): Pick<AccountRow, 'evco_id' | 'locked' | 'has_payment'> | undefined {
  return preparedOn(db, 'SELECT a.evco_id, a.locked, a.has_payment FROM account_rfids r JOIN accounts a ON a.id = r.account_id WHERE r.uid = ?').get(uid) as
    | Pick<AccountRow, 'evco_id' | 'locked' | 'has_payment'>
    | undefined;
}

/**
 * rfid-verify's offline sources for a UID (both `?`) in one statement: the account holding it, as
 * a row whose first column is NULL, then the whitelist hits as WHITELIST_HITS_SQL gives them. One
 * statement instead of two: each run of a statement costs its own binding, stepping and reset, on
 * the path of every verification.
 */
export const OFFLINE_VERDICT_SQL = `SELECT NULL, a.evco_id, a.locked, a.has_payment FROM account_rfids r JOIN accounts a ON a.id = r.account_id WHERE r.uid = ?
  UNION ALL ${WHITELIST_HITS_SQL}`;

/** An account row of OFFLINE_VERDICT_SQL: NULL, EVCO ID, locked, has payment. */
type AccountHit = [null, string, number, number];

/** The offline verdict of `uid`: its account when it has one, else its deciding whitelist entry. */
function offlineVerdictOn(db: Db, uid: string): OfflineVerdict {
  const rows = preparedOn(db, OFFLINE_VERDICT_SQL).raw(true).all(uid, uid) as Array<HitRow | AccountHit>;
  // Found by its NULL, not by its place: a compound SELECT's order is not promised.
  const account = rows.find((r): r is AccountHit => r[0] === null);
  if (account) return { source: 'account', evcoId: account[1], locked: account[2] === 1, hasPayment: account[3] === 1 };
  const hit = firstHit(rows as HitRow[]);
  return hit ? { source: 'whitelist', hit } : { source: 'none' };
}

/** The latest authorization of `uid` (inside a write). */
function upsertAuthorization(db: Db, uid: string, partnerId: number | null, evcoId: string | null, at: string): void {
  preparedOn(
    db,
    'INSERT INTO authorizations (uid, partner_id, evco_id, at) VALUES (?, ?, ?, ?) ON CONFLICT (uid) DO UPDATE SET partner_id = excluded.partner_id, evco_id = excluded.evco_id, at = excluded.at',
  ).run(uid, partnerId, evcoId, at);
}

/** Accounts, whitelists and authorizations on SQLite. Example: `new SqliteAuthorization(db).authorizedBy('04A2B3C4')`. */
export class SqliteAuthorization implements AuthorizationRepository {
  constructor(private readonly s: SqliteDatabase) {}

  private read(row: AccountRow, db: Db = this.s.db): AccountRecord {
    return toAccount(row, rfidsOf(db).all(row.id) as string[]);
  }

  async addAccount(a: NewAccount, push?: WhitelistPush): Promise<AccountRecord> {
    const rfids = [...new Set(a.rfids)];
    return this.s.write((db) => {
      // Checked inside the transaction, so two concurrent adds cannot both pass.
      if (db.prepare('SELECT 1 FROM accounts WHERE evco_id = ?').get(a.evcoId)) {
        throw new AccountConflictError('evco-id', a.evcoId, `an account with EVCO ID ${a.evcoId} already exists`);
      }
      const owner = db.prepare('SELECT a.evco_id FROM account_rfids r JOIN accounts a ON a.id = r.account_id WHERE r.uid = ?').pluck();
      for (const uid of rfids) {
        const taken = owner.get(uid) as string | undefined;
        if (taken) throw new AccountConflictError('uid', uid, `RFID ${uid} already belongs to account ${taken}`);
      }
      const id = Number(
        db.prepare('INSERT INTO accounts (evco_id, locked, has_payment, created_at) VALUES (?, ?, ?, ?)')
          .run(a.evcoId, a.locked ? 1 : 0, a.hasPayment ? 1 : 0, new Date().toISOString()).lastInsertRowid,
      );
      const addUid = db.prepare('INSERT INTO account_rfids (uid, account_id) VALUES (?, ?)');
      for (const uid of rfids) addUid.run(uid, id);
      if (isActive(a) && rfids.length > 0) enqueueWhitelistPush(db, push);
      return this.read(db.prepare('SELECT * FROM accounts WHERE id = ?').get(id) as AccountRow, db);
    });
  }

  async listAccounts(): Promise<AccountRecord[]> {
    return (this.s.db.prepare('SELECT * FROM accounts ORDER BY id').all() as AccountRow[]).map((r) => this.read(r));
  }

  async accountByEvcoId(evcoId: string): Promise<AccountRecord | undefined> {
    const row = this.s.db.prepare('SELECT * FROM accounts WHERE evco_id = ?').get(evcoId) as AccountRow | undefined;
    return row && this.read(row);
  }

  async accountByUid(uid: string): Promise<AccountRecord | undefined> {
    // Prepared once per connection, not per call: preparing costs several times what running it does.
    const row = preparedOn(this.s.db, 'SELECT a.* FROM account_rfids r JOIN accounts a ON a.id = r.account_id WHERE r.uid = ?').get(uid) as AccountRow | undefined;
    return row && this.read(row);
  }

  async setAccountLocked(evcoId: string, locked: boolean, push?: WhitelistPush): Promise<AccountRecord | undefined> {
    return this.s.write((db) => {
      const row = db.prepare('SELECT * FROM accounts WHERE evco_id = ?').get(evcoId) as AccountRow | undefined;
      if (!row) return undefined;
      if ((row.locked === 1) !== locked) {
        db.prepare('UPDATE accounts SET locked = ? WHERE id = ?').run(locked ? 1 : 0, row.id);
        // Locking an account without payment changes nothing in the merged list.
        if (row.has_payment === 1) enqueueWhitelistPush(db, push);
      }
      return this.read({ ...row, locked: locked ? 1 : 0 }, db);
    });
  }

  async replaceWhitelist(partnerIdentifier: string, partnerId: number, uids: readonly string[], push?: WhitelistPush): Promise<WhitelistReplaceResult> {
    return this.s.write((db) => {
      const r = replaceListRows(db, partnerIdentifier, partnerId, uids, new Date().toISOString());
      const outboxIds = r.added + r.removed > 0 ? enqueueWhitelistPush(db, push) : [];
      return { ...r, outboxIds };
    });
  }

  async pushWhitelist(push: WhitelistPush): Promise<number[]> {
    return this.s.write((db) => enqueueWhitelistPush(db, push));
  }

  async whitelistHit(uid: string): Promise<WhitelistHit | undefined> {
    return whitelistHitOn(this.s.db, uid);
  }

  async whitelist(partnerIdentifier: string): Promise<string[]> {
    return this.s.db
      .prepare('SELECT w.uid FROM whitelists w JOIN whitelist_owners o ON o.id = w.list_id WHERE o.partner_identifier = ? ORDER BY w.uid')
      .pluck()
      .all(partnerIdentifier) as string[];
  }

  async mergedWhitelist(): Promise<string[]> {
    return mergedWhitelistRows(this.s.db);
  }

  async recordAuthorization(uid: string, by: AuthorizationRecord, at: Date): Promise<void> {
    await this.s.write((db) => void upsertAuthorization(db, uid, by.partnerId, by.evcoId ?? null, at.toISOString()));
  }

  /**
   * One statement in one queued read (a read transaction per event-loop turn, shared with the
   * other reads of that turn: SqliteDatabase.read), and no write: rfid-verify's most frequent
   * answer costs no commit and no fsync. Not `async`: the read's own promise is the answer.
   */
  verifyOffline(uid: string): Promise<OfflineVerdict> {
    return this.s.read((db) => offlineVerdictOn(db, uid));
  }

  async cardHistory(uid: string): Promise<CardHistory> {
    const key = normalizeUid(uid) ?? uid;
    return this.s.read((db): CardHistory => {
      const history: CardHistory = {
        entries: (preparedOn(db, whitelistEntriesSql('?', '?')).all(key, key) as WhitelistEntryRow[]).map(toWhitelistEntry),
      };
      const account = accountOfUid(db, key);
      if (account) history.account = { evcoId: account.evco_id };
      const auth = preparedOn(db, 'SELECT partner_id, evco_id, at FROM authorizations WHERE uid = ?').get(key) as
        | { partner_id: number | null; evco_id: string | null; at: string }
        | undefined;
      if (auth) history.authorized = { partnerId: auth.partner_id, at: auth.at, ...(auth.evco_id ? { evcoId: auth.evco_id } : {}) };
      return history;
    });
  }

  async authorizedBy(uid: string): Promise<AuthorizationRecord | undefined> {
    // Callers (the CDR slice) may hold the UID as a CPO sent it: compare on the normalized form.
    const key = normalizeUid(uid) ?? uid;
    const row = preparedOn(this.s.db, 'SELECT partner_id, evco_id FROM authorizations WHERE uid = ?').get(key) as { partner_id: number | null; evco_id: string | null } | undefined;
    if (!row) return undefined;
    const r: AuthorizationRecord = { partnerId: row.partner_id };
    if (row.evco_id) r.evcoId = row.evco_id;
    return r;
  }
}
