/** PostgreSQL implementation of AuthorizationRepository. */
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
import { signalOutbox } from '../outbox-signal.js';
import { Batcher } from './batch.js';
import { isUniqueViolation, type Client, type NamedStatement, type PgDatabase } from './database.js';
import { enqueueWhitelistPush, mergedWhitelistRows, replaceListRows } from './whitelist-sql.js';
import { isActive, toAccount, type AccountRow as AccountRowBase } from '../rows/accounts.js';
import { toWhitelistEntry, whitelistEntriesSql, type WhitelistEntryRow } from '../rows/whitelist.js';

/** An account row as SELECT_ACCOUNTS gives it: UIDs aggregated in. */
type AccountRow = AccountRowBase & { rfids: string[] };

/** Accounts with their UIDs (sorted bytewise, as SQLite sorts) in one query. */
const SELECT_ACCOUNTS = `SELECT a.*, coalesce((SELECT array_agg(uid ORDER BY uid COLLATE "C") FROM account_rfids r WHERE r.account_id = a.id), '{}') AS rfids FROM accounts a`;

const accountOf = (row: AccountRow): AccountRecord => toAccount(row, row.rfids);

/** At most this many UIDs per verify statement; more in one turn go in several, side by side. */
const VERIFY_BATCH = 256;

/**
 * The first list holding the UID `uid` names (the lowest partner id first), with `condition`
 * added: whitelistHit and verifyOffline answer by this one rule.
 */
const firstListSql = (condition = 'true', uid = '$1') => `SELECT o.partner_id, o.partner_identifier, w.evco_id FROM whitelists w JOIN whitelist_owners o ON o.id = w.list_id
  WHERE w.uid = ${uid} AND ${condition} ORDER BY o.partner_id, o.id LIMIT 1`;

type ListRow = { partner_id: number; partner_identifier: string; evco_id: string | null };

function hitOf(row: ListRow): WhitelistHit {
  const hit: WhitelistHit = { partnerId: row.partner_id, partnerIdentifier: row.partner_identifier };
  if (row.evco_id) hit.evcoId = row.evco_id;
  return hit;
}

const WHITELIST_HIT_SQL = firstListSql();

/**
 * verifyOffline's row per UID of the batch (`n` its position, from 1): the account holding the
 * UID, else the first list holding it, else NULLs.
 */
type VerdictRow = { n: number; evco_id: string | null; locked: number | null; has_payment: number | null; partner_id: number | null; partner_identifier: string | null; list_evco_id: string | null };
const VERIFY_OFFLINE_SQL: NamedStatement = { name: 'oioi_verify_offline_batch', text: `SELECT u.n, a.evco_id, a.locked, a.has_payment, l.partner_id, l.partner_identifier, l.evco_id AS list_evco_id
  FROM unnest($1::text[]) WITH ORDINALITY AS u(uid, n)
  LEFT JOIN account_rfids r ON r.uid = u.uid
  LEFT JOIN accounts a ON a.id = r.account_id
  LEFT JOIN LATERAL (${firstListSql('a.id IS NULL', 'u.uid')}) l ON true` };

function verdictOf(row: VerdictRow): OfflineVerdict {
  if (row.evco_id !== null) return { source: 'account', evcoId: row.evco_id, locked: row.locked === 1, hasPayment: row.has_payment === 1 };
  if (row.partner_id === null) return { source: 'none' };
  return { source: 'whitelist', hit: hitOf({ partner_id: row.partner_id, partner_identifier: row.partner_identifier!, evco_id: row.list_evco_id }) };
}

/** Every UID's verdict, in the order asked, from one statement. Example: `await verifyAll(db, ['04A2B3C4'])`. */
async function verifyAll(db: PgDatabase, uids: string[]): Promise<OfflineVerdict[]> {
  const verdicts = new Array<OfflineVerdict>(uids.length);
  // account_rfids.uid is unique and the lateral takes one list: one row per position.
  const rows = await db.query<VerdictRow>(VERIFY_OFFLINE_SQL, [uids]);
  for (const row of rows) verdicts[Number(row.n) - 1] = verdictOf(row);
  // A caller must never get another UID's verdict, nor none at all.
  if (rows.length !== uids.length) throw new Error(`the verify statement answered ${rows.length} rows for ${uids.length} UIDs`);
  return verdicts;
}

/** Accounts, whitelists and authorizations on PostgreSQL. Example: `await new PgAuthorization(db).authorizedBy('04A2B3C4')`. */
export class PgAuthorization implements AuthorizationRepository {
  /**
   * The verifies of one event-loop turn, asked in one statement: a round trip costs the hub (and
   * the server) far more than one more UID's look-ups, and rfid-verify is the hub's most frequent
   * call. A lone verify waits only for the end of its turn.
   */
  private readonly verifies: Batcher<string, OfflineVerdict>;

  constructor(private readonly db: PgDatabase) {
    this.verifies = new Batcher((uids) => verifyAll(db, uids), VERIFY_BATCH);
  }

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
    const [row] = await this.db.query<ListRow>(WHITELIST_HIT_SQL, [uid]);
    return row && hitOf(row);
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

  /** The account, else the list: reads only (see the interface). */
  async verifyOffline(uid: string): Promise<OfflineVerdict> {
    // No row can hold a NUL (PostgreSQL's text refuses it), and sent along it would fail the
    // statement of every verify batched with it.
    if (uid.includes('\0')) return { source: 'none' };
    // accountByUid, else whitelistHit, in one statement shared with the turn's other verifies.
    return this.verifies.push(uid);
  }

  async cardHistory(uid: string): Promise<CardHistory> {
    const key = normalizeUid(uid) ?? uid;
    // One round trip: the entries, with the account's EVCO ID and the authorization on every row
    // (or one row of NULL entry columns when no list ever held the UID).
    const rows = await this.db.query<WhitelistEntryRow & { account_evco: string | null; auth_partner: number | string | null; auth_evco: string | null; auth_at: string | null; has_auth: boolean }>(
      `SELECT e.*,
              (SELECT a.evco_id FROM account_rfids r JOIN accounts a ON a.id = r.account_id WHERE r.uid = $1) AS account_evco,
              au.partner_id AS auth_partner, au.evco_id AS auth_evco, au.at AS auth_at, au.uid IS NOT NULL AS has_auth
         FROM (SELECT 1) one
         LEFT JOIN (${whitelistEntriesSql('$1', '$1')}) e ON true
         LEFT JOIN authorizations au ON au.uid = $1`,
      [key],
    );
    const first = rows[0]!;
    const history: CardHistory = { entries: rows.filter((r) => r.list_id !== null).map(toWhitelistEntry) };
    if (first.account_evco) history.account = { evcoId: first.account_evco };
    if (first.has_auth) {
      history.authorized = {
        partnerId: first.auth_partner === null ? null : Number(first.auth_partner),
        at: first.auth_at!,
        ...(first.auth_evco ? { evcoId: first.auth_evco } : {}),
      };
    }
    return history;
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
