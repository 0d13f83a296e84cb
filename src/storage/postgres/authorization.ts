/** PostgreSQL implementation of AuthorizationRepository. */
import {
  AccountConflictError,
  AUTHORIZATION_REFRESH_MS,
  type AccountRecord,
  type AuthorizationRecord,
  type AuthorizationRepository,
  type NewAccount,
  type OfflineVerdict,
  type WhitelistHit,
  type WhitelistPush,
  type WhitelistReplaceResult,
} from '../authorization.js';
import { normalizeUid } from '../../protocol/identifiers/uid.js';
import { signalOutbox } from '../outbox-signal.js';
import { isUniqueViolation, type Client, type PgDatabase } from './database.js';
import { enqueueWhitelistPush, mergedWhitelistRows, replaceListRows } from './whitelist-sql.js';
import { isActive, toAccount, type AccountRow as AccountRowBase } from '../rows/accounts.js';

/** An account row as SELECT_ACCOUNTS gives it: UIDs aggregated in. */
type AccountRow = AccountRowBase & { rfids: string[] };

/** Accounts with their UIDs (sorted bytewise, as SQLite sorts) in one query. */
const SELECT_ACCOUNTS = `SELECT a.*, coalesce((SELECT array_agg(uid ORDER BY uid COLLATE "C") FROM account_rfids r WHERE r.account_id = a.id), '{}') AS rfids FROM accounts a`;

const accountOf = (row: AccountRow): AccountRecord => toAccount(row, row.rfids);

/** Accounts, whitelists and authorizations on PostgreSQL. Example: `await new PgAuthorization(db).authorizedBy('04A2B3C4')`. */
export class PgAuthorization implements AuthorizationRepository {
  constructor(private readonly db: PgDatabase) {}

  /** Runs a write that may enqueue outbox rows; wakes the outbox worker after COMMIT when it did. */
  private async write<T>(fn: (c: Client) => Promise<T>, ids: (value: T) => number[]): Promise<T> {
    const value = await this.db.tx(fn);
    if (ids(value).length) signalOutbox(this.db);
    return value;
  }

  private async conflictOf(a: NewAccount, rfids: string[], c: Client): Promise<AccountConflictError | undefined> {
    if ((await c.query('SELECT 1 FROM accounts WHERE evco_id = $1', [a.evcoId])).rowCount) {
      return new AccountConflictError('evco-id', a.evcoId, `an account with EVCO ID ${a.evcoId} already exists`);
    }
    const { rows } = await c.query<{ uid: string; evco_id: string }>(
      'SELECT r.uid, a.evco_id FROM account_rfids r JOIN accounts a ON a.id = r.account_id WHERE r.uid = ANY($1::text[])', [rfids],
    );
    const taken = new Map(rows.map((r) => [r.uid, r.evco_id]));
    const uid = rfids.find((u) => taken.has(u));
    return uid === undefined ? undefined : new AccountConflictError('uid', uid, `RFID ${uid} already belongs to account ${taken.get(uid)}`);
  }

  async addAccount(a: NewAccount, push?: WhitelistPush): Promise<AccountRecord> {
    const rfids = [...new Set(a.rfids)];
    let pushed: number[] = [];
    try {
      const account = await this.db.tx(async (c) => {
        const conflict = await this.conflictOf(a, rfids, c);
        if (conflict) throw conflict;
        const { rows } = await c.query<{ id: number }>(
          'INSERT INTO accounts (evco_id, locked, has_payment, created_at) VALUES ($1, $2, $3, $4) RETURNING id',
          [a.evcoId, a.locked ? 1 : 0, a.hasPayment ? 1 : 0, new Date().toISOString()],
        );
        const id = rows[0]!.id;
        if (rfids.length) await c.query('INSERT INTO account_rfids (uid, account_id) SELECT unnest($1::text[]), $2', [rfids, id]);
        if (isActive(a) && rfids.length > 0) pushed = await enqueueWhitelistPush(c, push);
        return accountOf((await c.query<AccountRow>(`${SELECT_ACCOUNTS} WHERE a.id = $1`, [id])).rows[0]!);
      });
      if (pushed.length) signalOutbox(this.db);
      return account;
    } catch (error) {
      // Another process added the same EVCO ID or UID between our check and our insert.
      if (!isUniqueViolation(error)) throw error;
      const conflict = await this.db.tx((c) => this.conflictOf(a, rfids, c));
      throw conflict ?? error;
    }
  }

  async listAccounts(): Promise<AccountRecord[]> {
    return (await this.db.query<AccountRow>(`${SELECT_ACCOUNTS} ORDER BY a.id`)).map(accountOf);
  }

  async accountByEvcoId(evcoId: string): Promise<AccountRecord | undefined> {
    const [row] = await this.db.query<AccountRow>(`${SELECT_ACCOUNTS} WHERE a.evco_id = $1`, [evcoId]);
    return row && accountOf(row);
  }

  async accountByUid(uid: string): Promise<AccountRecord | undefined> {
    const [row] = await this.db.query<AccountRow>(`${SELECT_ACCOUNTS} WHERE a.id = (SELECT account_id FROM account_rfids WHERE uid = $1)`, [uid]);
    return row && accountOf(row);
  }

  async setAccountLocked(evcoId: string, locked: boolean, push?: WhitelistPush): Promise<AccountRecord | undefined> {
    let pushed: number[] = [];
    const account = await this.db.tx(async (c) => {
      const [row] = (await c.query<AccountRow>(`${SELECT_ACCOUNTS} WHERE a.evco_id = $1 FOR UPDATE OF a`, [evcoId])).rows;
      if (!row) return undefined;
      if ((row.locked === 1) !== locked) {
        await c.query('UPDATE accounts SET locked = $1 WHERE id = $2', [locked ? 1 : 0, row.id]);
        // Locking an account without payment changes nothing in the merged list.
        if (row.has_payment === 1) pushed = await enqueueWhitelistPush(c, push);
      }
      return accountOf({ ...row, locked: locked ? 1 : 0 });
    });
    if (pushed.length) signalOutbox(this.db);
    return account;
  }

  async replaceWhitelist(partnerIdentifier: string, partnerId: number, uids: readonly string[], push?: WhitelistPush): Promise<WhitelistReplaceResult> {
    return this.write(async (c) => {
      const r = await replaceListRows(c, partnerIdentifier, partnerId, uids, new Date().toISOString());
      const outboxIds = r.added + r.removed > 0 ? await enqueueWhitelistPush(c, push) : [];
      return { ...r, outboxIds };
    }, (r) => r.outboxIds);
  }

  async pushWhitelist(push: WhitelistPush): Promise<number[]> {
    return this.write((c) => enqueueWhitelistPush(c, push), (ids) => ids);
  }

  async whitelistHit(uid: string): Promise<WhitelistHit | undefined> {
    const [row] = await this.db.query<{ partner_id: number; partner_identifier: string; evco_id: string | null }>(
      `SELECT o.partner_id, o.partner_identifier, w.evco_id FROM whitelists w JOIN whitelist_owners o ON o.id = w.list_id
       WHERE w.uid = $1 ORDER BY o.partner_id, o.id LIMIT 1`,
      [uid],
    );
    if (!row) return undefined;
    const hit: WhitelistHit = { partnerId: row.partner_id, partnerIdentifier: row.partner_identifier };
    if (row.evco_id) hit.evcoId = row.evco_id;
    return hit;
  }

  async whitelist(partnerIdentifier: string): Promise<string[]> {
    const rows = await this.db.query<{ uid: string }>(
      'SELECT w.uid FROM whitelists w JOIN whitelist_owners o ON o.id = w.list_id WHERE o.partner_identifier = $1 ORDER BY w.uid', [partnerIdentifier],
    );
    return rows.map((r) => r.uid);
  }

  async mergedWhitelist(): Promise<string[]> {
    return mergedWhitelistRows(this.db.pool);
  }

  async verifyOffline(uid: string, at: Date): Promise<OfflineVerdict> {
    const account = await this.accountByUid(uid);
    if (account) {
      const verdict: OfflineVerdict = { source: 'account', evcoId: account.evcoId, locked: account.locked, hasPayment: account.hasPayment };
      if (isActive(account)) await this.keepAuthorization(uid, { partnerId: null, evcoId: account.evcoId }, at);
      return verdict;
    }
    const hit = await this.whitelistHit(uid);
    if (!hit) return { source: 'none' };
    await this.keepAuthorization(uid, { partnerId: hit.partnerId, ...(hit.evcoId ? { evcoId: hit.evcoId } : {}) }, at);
    return { source: 'whitelist', hit };
  }

  /**
   * Records a verify's authorization unless the one on record says the same and is younger than
   * AUTHORIZATION_REFRESH_MS: a card verified again leaves its row untouched (no new row version).
   */
  private async keepAuthorization(uid: string, by: AuthorizationRecord, at: Date): Promise<void> {
    await this.db.query(
      `INSERT INTO authorizations (uid, partner_id, evco_id, at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (uid) DO UPDATE SET partner_id = excluded.partner_id, evco_id = excluded.evco_id, at = excluded.at
       WHERE authorizations.partner_id IS DISTINCT FROM excluded.partner_id OR authorizations.evco_id IS DISTINCT FROM excluded.evco_id OR authorizations.at <= $5`,
      [uid, by.partnerId, by.evcoId ?? null, at.toISOString(), new Date(at.getTime() - AUTHORIZATION_REFRESH_MS).toISOString()],
    );
  }

  async recordAuthorization(uid: string, by: AuthorizationRecord, at: Date): Promise<void> {
    await this.db.query(
      `INSERT INTO authorizations (uid, partner_id, evco_id, at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (uid) DO UPDATE SET partner_id = excluded.partner_id, evco_id = excluded.evco_id, at = excluded.at`,
      [uid, by.partnerId, by.evcoId ?? null, at.toISOString()],
    );
  }

  async authorizedBy(uid: string): Promise<AuthorizationRecord | undefined> {
    // Callers (the CDR slice) may hold the UID as a CPO sent it: compare on the normalized form.
    const key = normalizeUid(uid) ?? uid;
    const [row] = await this.db.query<{ partner_id: number | null; evco_id: string | null }>('SELECT partner_id, evco_id FROM authorizations WHERE uid = $1', [key]);
    if (!row) return undefined;
    const r: AuthorizationRecord = { partnerId: row.partner_id };
    if (row.evco_id) r.evcoId = row.evco_id;
    return r;
  }
}
