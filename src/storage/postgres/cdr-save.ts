/**
 * CdrRepository.save on PostgreSQL: one read and one write statement, both prepared once per
 * connection, for one post or for every post of a turn (cdr-save-batch.ts). The read gives each
 * post its stored record, subscribed fleets and remote session, as JSON; the write stores the
 * records, their superseded and new outbox rows and the NOTIFY in one statement, hence one
 * transaction. It was a transaction of ten: BEGIN, an advisory lock, three or four reads, the
 * record, each supersede, the outbox rows, NOTIFY, COMMIT; with the database on the hub's machine
 * each round trip is a wake-up of both processes.
 *
 * Posts of one session still decide in turn, each on the record the previous one left,
 * optimistically: the write names the version each post decided on (a new record: that none
 * exists), writes nothing for a post another one overtook, and that post is read and decided again.
 */
import type { CdrDecider, CdrPost, CdrRecord, CdrSaveResult } from '../cdrs.js';
import { OioiError } from '../../protocol/errors.js';
import type { OutboxItemInput } from '../outbox.js';
import { signalOutbox } from '../outbox-signal.js';
import { cdrColumns, rawColumn, toCdr, type CdrRow } from '../rows/cdrs.js';
import type { RemoteSessionRecord } from '../sessions.js';
import { toSession, type SessionRow } from '../rows/sessions.js';
import type { NamedStatement, PgDatabase } from './database.js';
import { fleetSubscribersOf, fleetSubscribersParams } from './fleet-sql.js';
import { notifyPayloadSql, OUTBOX_CHANNEL } from './outbox-insert.js';
import { sessionForCdrOf } from './sessions.js';

/**
 * Per post (a JSON array, `n` its position): the stored record, the subscribed fleets and the
 * remote session.
 */
const READ: NamedStatement = {
  name: 'oioi_cdr_read',
  text: `SELECT p.n, (SELECT to_json(c) FROM cdrs c WHERE c.session_id = p.sid) AS cdr,
    ${fleetSubscribersOf('p.evco_keys', 'p.uids')} AS fleets,
    ${sessionForCdrOf('p.cpo_session_id', 'p.session_evse', 'p.user_key', 'p.started_after', 'p.started_by')} AS session
  FROM json_to_recordset($1::json) AS p(n int, sid text, evco_keys text[], uids text[], cpo_session_id text, session_evse text, user_key text, started_after bigint, started_by bigint)`,
};

/**
 * The records of the posts that decided to write ($1-$15, one array element a post; `ver` NULL for
 * a new record), each written only if still as read: a new one unless one exists by now, a stored
 * one if still at version `ver`. Then, for the posts written (`w`), their outbox rows ($16-$21, one
 * element an item, `n` its post): older open rows of the same partner, call and subject
 * superseded, the new ones queued in the order given, and one NOTIFY naming their partners. An
 * entry another hub is sending right now is left open: the new one waits behind it (migration 895).
 */
const WRITE: NamedStatement = {
  name: 'oioi_cdr_write',
  text: `WITH p AS (
    SELECT * FROM unnest($1::int[], $2::text[], $3::int[], $4::bigint[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[],
      $10::bigint[], $11::bigint[], $12::float8[], $13::text[], $14::text[], $15::bigint[])
      AS p(n, sid, ver, partner_id, pident, evse_id, evse_key, user_type, user_id, started_at, stopped_at, energy, payload, raw, at)
  ), ins AS (
    INSERT INTO cdrs (session_id, partner_id, partner_identifier, evse_id, evse_key, user_type, user_id, started_at, stopped_at, energy, payload, raw, received_at, updated_at)
    SELECT sid, partner_id, pident, evse_id, evse_key, user_type, user_id, started_at, stopped_at, energy, payload, raw, at, at FROM p WHERE ver IS NULL ORDER BY n
    ON CONFLICT (session_id) DO NOTHING RETURNING session_id
  ), upd AS (
    UPDATE cdrs c SET partner_identifier = p.pident, started_at = p.started_at, stopped_at = p.stopped_at, energy = p.energy, payload = p.payload,
      raw = p.raw, versions = c.versions + 1, updated_at = p.at
    FROM p WHERE p.ver IS NOT NULL AND c.session_id = p.sid AND c.versions = p.ver RETURNING c.session_id
  ), w AS (
    SELECT p.n FROM p WHERE p.sid IN (SELECT session_id FROM ins UNION ALL SELECT session_id FROM upd)
  ), o AS (
    SELECT * FROM unnest($16::int[], $17::bigint[], $18::text[], $19::text[], $20::text[], $21::bigint[]) WITH ORDINALITY AS o(n, partner_id, call, payload, subject, at, k)
    WHERE o.n IN (SELECT n FROM w)
  ), superseded AS (
    UPDATE outbox x SET state = 'superseded' FROM o
    WHERE x.partner_id = o.partner_id AND x.call = o.call AND x.subject = o.subject AND x.state IN ('pending', 'failing')
      AND (x.claimed_until IS NULL OR x.claimed_until <= o.at)
    RETURNING x.id
  ), queued AS (
    INSERT INTO outbox (partner_id, call, payload, subject, state, attempts, next_attempt_at, created_at)
    SELECT partner_id, call, payload, subject, 'pending', 0, at, at FROM o ORDER BY k
    RETURNING id
  )
  SELECT (SELECT coalesce(json_agg(n), '[]') FROM w) AS written, (SELECT coalesce(json_agg(id ORDER BY id), '[]') FROM queued) AS ids,
    (SELECT pg_notify('${OUTBOX_CHANNEL}', ${notifyPayloadSql('(SELECT array_agg(partner_id) FROM o)')}) FROM queued LIMIT 1) AS notified`,
};

/** What a post decides on: its stored record (none: new), the fleets subscribed, the remote session. */
export interface CdrRead { previous?: CdrRecord; fleets: number[]; session?: RemoteSessionRecord }

/** A post that decided to write: the record it decided on (none: new), the record to store and its forwards. */
export interface CdrWrite { post: CdrPost; previous?: CdrRecord; payload: Record<string, unknown>; outbox: OutboxItemInput[] }

/**
 * Reads what each post decides on, in one statement; one entry per post, in order (undefined
 * should the database leave one out). Example: `const [read] = await readCdrPosts(db, [post])`.
 */
export async function readCdrPosts(db: PgDatabase, posts: readonly CdrPost[]): Promise<Array<CdrRead | undefined>> {
  const rows = await db.query<{ n: number; cdr: CdrRow | null; fleets: number[] | null; session: SessionRow | null }>(READ, [JSON.stringify(posts.map(readRow))]);
  const reads: Array<CdrRead | undefined> = posts.map(() => undefined);
  for (const r of rows) {
    reads[r.n] = { fleets: r.fleets ?? [], ...(r.cdr ? { previous: toCdr(r.cdr) } : {}), ...(r.session ? { session: toSession(r.session) } : {}) };
  }
  return reads;
}

/**
 * Writes the posts' records with their outbox rows in one statement; per post, its queued rows'
 * ids, or undefined when another post of its session got there first (nothing of it was written).
 * Example: `const [ids] = await writeCdrPosts(db, [{ post, payload, outbox: [] }])`.
 */
export async function writeCdrPosts(db: PgDatabase, writes: readonly CdrWrite[]): Promise<Array<number[] | undefined>> {
  const [result] = await db.query<{ written: number[]; ids: number[] }>(WRITE, writeParams(writes));
  const written = new Set(result?.written ?? []);
  const ids = result?.ids ?? [];
  // The queued rows' ids ascend in the order given: post by post, each post's items in order.
  let next = 0;
  const partners: number[] = [];
  const out = writes.map((w, n) => {
    if (!written.has(n)) return undefined;
    next += w.outbox.length;
    for (const i of w.outbox) partners.push(i.partnerId);
    return ids.slice(next - w.outbox.length, next);
  });
  // This process's outbox worker looks at once (other hubs heard the NOTIFY). Naming the
  // partners lets it skip a scan of every queue when their lanes are busy, as on SQLite.
  if (partners.length) signalOutbox(db, partners);
  return out;
}

/** Reads and decides again at most this often when other posts of the session keep writing first. */
const MAX_ATTEMPTS = 50;

/**
 * Stores one CDR post as `decide` says (see CdrRepository.save). Example:
 * `await saveCdr(db, post, (old) => (old ? { action: 'unchanged' } : { action: 'write', payload, outbox: [] }))`.
 */
export async function saveCdr(db: PgDatabase, post: CdrPost, decide: CdrDecider): Promise<CdrSaveResult> {
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const [read] = await readCdrPosts(db, [post]);
    const previous = read?.previous;
    const decision = decide(previous, read?.fleets ?? [], read?.session);
    const out: CdrSaveResult = { decision, outboxIds: [], ...(previous ? { previous } : {}) };
    if (decision.action !== 'write') return out;
    const [ids] = await writeCdrPosts(db, [{ post, ...(previous ? { previous } : {}), payload: decision.payload, outbox: decision.outbox }]);
    if (ids) {
      out.outboxIds = ids;
      return out;
    }
  }
  throw new OioiError(101, `session-id ${post.sessionId}: other posts of the session kept writing first; try again`, { httpStatus: 503, retryAfter: 1 });
}

/** A post's row of READ's JSON array. */
function readRow(post: CdrPost, n: number) {
  const [evcoKeys, uids] = fleetSubscribersParams(post.fleets);
  const s = post.session;
  return {
    n, sid: post.sessionId, evco_keys: evcoKeys, uids, cpo_session_id: s?.cpoSessionId ?? null, session_evse: s?.evseKey ?? null,
    user_key: s?.userKey ?? null, started_after: s?.startedAfter ?? null, started_by: s?.startedBy ?? null,
  };
}

/** WRITE's 21 parameters, `n` each write's position. */
function writeParams(writes: readonly CdrWrite[]): unknown[] {
  const cols: unknown[][] = Array.from({ length: 21 }, () => []);
  writes.forEach((w, n) => {
    const { post } = w;
    const [start, stop, energy] = cdrColumns(w.payload);
    const row = [n, post.sessionId, w.previous?.versions ?? null, post.partnerId, post.partnerIdentifier, post.evseId, post.evseKey, post.userType,
      post.userId, start, stop, energy, JSON.stringify(w.payload), rawColumn(post.raw, w.payload), post.at];
    row.forEach((v, i) => cols[i]!.push(v));
    for (const item of w.outbox) {
      cols[15]!.push(n);
      cols[16]!.push(item.partnerId);
      cols[17]!.push(item.call);
      cols[18]!.push(JSON.stringify(item.payload));
      cols[19]!.push(item.subject ?? null);
      cols[20]!.push(post.at);
    }
  });
  return cols;
}
