/**
 * CdrRepository.save on PostgreSQL in two round trips, both statements prepared once per
 * connection: one read (the stored record, the subscribed fleets and the remote session, as JSON)
 * and one write (the record, its superseded and new outbox rows and the NOTIFY, in one statement,
 * hence one transaction). It was a transaction of ten: BEGIN, an advisory lock, three or four
 * reads, the record, each supersede, the outbox rows, NOTIFY, COMMIT; with the database on the
 * hub's machine each round trip is a wake-up of both processes.
 *
 * Posts of one session still decide in turn, each on the record the previous one left, now
 * optimistically: the write names the version it decided on (a new record: that none exists),
 * writes nothing when another post got there first, and the post is read and decided again.
 */
import type { CdrDecider, CdrPost, CdrSaveResult } from '../cdrs.js';
import { OioiError } from '../../protocol/errors.js';
import { signalOutbox } from '../outbox-signal.js';
import { cdrColumns, rawColumn, toCdr, type CdrRow } from '../rows/cdrs.js';
import { toSession, type SessionRow } from '../rows/sessions.js';
import { placeholders, type NamedStatement, type PgDatabase } from './database.js';
import { fleetSubscribersParams, fleetSubscribersSql } from './fleet-sql.js';
import { outboxInsertSql, outboxNotifySql, outboxParams } from './outbox-insert.js';
import { sessionForCdrParams, sessionForCdrSql } from './sessions.js';

/** $1 session id, $2-$3 fleet EVCO keys and UIDs, $4-$8 the session query. */
const READ: NamedStatement = {
  name: 'oioi_cdr_read',
  text: `SELECT (SELECT to_json(c) FROM cdrs c WHERE c.session_id = $1) AS cdr, ${fleetSubscribersSql(2)} AS fleets, ${sessionForCdrSql(4)} AS session`,
};

/**
 * The outbox half of both writes, after a CTE `w` that returns a row when the record was
 * written: supersede still-open rows of the same partner, call and subject (but none being sent), queue the new ones
 * (outboxInsertSql) and NOTIFY other hubs with the partners' ids, all only when `w` wrote. Parameters $first..$first+4:
 * outboxParams.
 */
function outboxSql(first: number): string {
  const [partners, calls, , subjects, now] = placeholders(first, 5);
  // An entry another hub is sending right now is left open: the new one waits behind it (migration 895).
  return `, superseded AS (
    UPDATE outbox o SET state = 'superseded' FROM unnest(${partners}::bigint[], ${calls}::text[], ${subjects}::text[]) AS u(p, c, s)
    WHERE EXISTS (SELECT 1 FROM w) AND o.partner_id = u.p AND o.call = u.c AND o.subject = u.s AND o.state IN ('pending', 'failing')
      AND (o.claimed_until IS NULL OR o.claimed_until <= ${now}::bigint)
    RETURNING o.id
  ), queued AS (${outboxInsertSql(first, 'WHERE EXISTS (SELECT 1 FROM w)')})
  SELECT (SELECT count(*) FROM w)::int AS written, (SELECT coalesce(json_agg(id ORDER BY id), '[]') FROM queued) AS ids,
    (SELECT ${outboxNotifySql(partners)} FROM queued LIMIT 1) AS notified`;
}

/** A new record, unless one exists by now. $1-$13 as in the INSERT, then the outbox's $14-$18. */
const INSERT: NamedStatement = {
  name: 'oioi_cdr_insert',
  text: `WITH w AS (
    INSERT INTO cdrs (session_id, partner_id, partner_identifier, evse_id, evse_key, user_type, user_id, started_at, stopped_at, energy, payload, raw, received_at, updated_at)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13)
    ON CONFLICT (session_id) DO NOTHING RETURNING 1
  )${outboxSql(14)}`,
};

/** The record, if it is still at version $2. $1 session id, $3-$8 the new values, then the outbox's $9-$13 ($13, now, is also its time). */
const UPDATE: NamedStatement = {
  name: 'oioi_cdr_update',
  text: `WITH w AS (
    UPDATE cdrs SET partner_identifier = $3, started_at = $4, stopped_at = $5, energy = $6, payload = $7, raw = $8, versions = versions + 1, updated_at = $13
    WHERE session_id = $1 AND versions = $2 RETURNING 1
  )${outboxSql(9)}`,
};

/** Reads and decides again at most this often when other posts of the session keep writing first. */
const MAX_ATTEMPTS = 50;

/**
 * Stores a CDR post as `decide` says (see CdrRepository.save). Example:
 * `await saveCdr(db, post, (old) => (old ? { action: 'unchanged' } : { action: 'write', payload, outbox: [] }))`.
 */
export async function saveCdr(db: PgDatabase, post: CdrPost, decide: CdrDecider): Promise<CdrSaveResult> {
  const readParams = [post.sessionId, ...fleetSubscribersParams(post.fleets), ...sessionForCdrParams(post.session)];
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const [read] = await db.query<{ cdr: CdrRow | null; fleets: number[]; session: SessionRow | null }>(READ, readParams);
    const previous = read?.cdr ? toCdr(read.cdr) : undefined;
    const decision = decide(previous, read?.fleets ?? [], read?.session ? toSession(read.session) : undefined);
    const out: CdrSaveResult = { decision, outboxIds: [], ...(previous ? { previous } : {}) };
    if (decision.action !== 'write') return out;
    const payload = JSON.stringify(decision.payload);
    const raw = rawColumn(post.raw, decision.payload);
    const [start, stop, energy] = cdrColumns(decision.payload);
    const outbox = outboxParams(decision.outbox, post.at);
    const [result] = previous
      ? await db.query<{ written: number; ids: number[] }>(UPDATE, [post.sessionId, previous.versions, post.partnerIdentifier, start, stop, energy, payload, raw, ...outbox])
      : await db.query<{ written: number; ids: number[] }>(INSERT, [post.sessionId, post.partnerId, post.partnerIdentifier, post.evseId, post.evseKey, post.userType, post.userId,
        start, stop, energy, payload, raw, post.at, ...outbox]);
    if (result && result.written > 0) {
      out.outboxIds = result.ids;
      // This process's outbox worker looks at once (other hubs heard the NOTIFY). Naming the
      // partners lets it skip a scan of every queue when their lanes are busy, as on SQLite.
      if (out.outboxIds.length) signalOutbox(db, decision.outbox.map((i) => i.partnerId));
      return out;
    }
  }
  throw new OioiError(101, `session-id ${post.sessionId}: other posts of the session kept writing first; try again`, { httpStatus: 503, retryAfter: 1 });
}
