/**
 * CdrRepository.save on PostgreSQL for the posts of one event-loop turn together: one read for
 * all of them and one write for all that decided to write, where each post alone takes two
 * (cdr-save.ts). A round trip costs the hub about 100 µs of CPU in the driver and the socket, and
 * the database a backend's wake-up; one more CDR in a statement costs a few index look-ups.
 *
 * Each post still decides on its own record, fleets and session, and gets its own result. Posts of
 * one session in the same turn go in successive rounds, in the order they came, so each decides on
 * the record the one before it left. A post the batch could not write (another hub wrote its
 * session first) or whose batch failed as a whole goes through saveCdr on its own: it reads and
 * decides again, and an error there is its own.
 */
import type { CdrDecider, CdrDecision, CdrPost, CdrSaveResult } from '../cdrs.js';
import type { OutboxItemInput } from '../outbox.js';
import { signalOutbox } from '../outbox-signal.js';
import { cdrColumns, rawColumn, toCdr, type CdrRow } from '../rows/cdrs.js';
import { toSession, type SessionRow } from '../rows/sessions.js';
import { saveCdr } from './cdr-save.js';
import { inRounds, saveInRounds, TurnQueue, type Pending } from './batch.js';
import type { NamedStatement, PgDatabase } from './database.js';
import { fleetSubscribersOf, fleetSubscribersParams } from './fleet-sql.js';
import { notifyPayloadSql, OUTBOX_CHANNEL } from './outbox-insert.js';
import { sessionForCdrOf } from './sessions.js';

/** Posts in one statement at most; a larger turn takes several. */
export const MAX_CDR_BATCH = 256;

/**
 * Per post (a JSON array, `n` its position): the stored record, the subscribed fleets and the
 * remote session, as cdr-save.ts's read asks them for one post.
 */
const READ: NamedStatement = {
  name: 'oioi_cdr_read_batch',
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
 * superseded (none being sent), the new ones queued in the order given, and one NOTIFY.
 */
const WRITE: NamedStatement = {
  name: 'oioi_cdr_write_batch',
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

/** A save waiting for its turn's batch. */
type Queued = Pending<{ post: CdrPost; decide: CdrDecider }, CdrSaveResult>;

/** A post that decided to write, with what it decided on. */
interface Writing { q: Queued; out: CdrSaveResult; payload: Record<string, unknown>; outbox: OutboxItemInput[] }

/**
 * Gathers the CdrRepository.save calls of one turn into batches. Example:
 * `const saves = new CdrSaveBatcher(db); await saves.save(post, decide)`.
 */
export class CdrSaveBatcher {
  private readonly calls: TurnQueue<{ post: CdrPost; decide: CdrDecider }, CdrSaveResult>;

  constructor(private readonly db: PgDatabase, private readonly maxBatch = MAX_CDR_BATCH) {
    // The whole turn at once: its rounds keep the order of posts sharing a key, whatever their number.
    this.calls = new TurnQueue((queued) => void this.saveRounds(queued));
  }

  /** As CdrRepository.save; resolves once the post's own write committed (or it decided not to write). */
  save(post: CdrPost, decide: CdrDecider): Promise<CdrSaveResult> {
    return this.calls.push({ post, decide });
  }

  /** Saves `queued` in rounds where each session appears once, each round after the one before. */
  private async saveRounds(queued: Queued[]): Promise<void> {
    await saveInRounds(inRounds(queued, (q) => [q.input.post.sessionId]), (round) => this.saveRound(round), this.maxBatch);
  }

  private async saveRound(round: Queued[]): Promise<void> {
    if (round.length === 1) return this.alone(round[0]!);
    let rows: Array<{ n: number; cdr: CdrRow | null; fleets: number[]; session: SessionRow | null }>;
    try {
      rows = await this.db.query(READ, [JSON.stringify(round.map((q, n) => readRow(q.input.post, n)))]);
    } catch {
      // Each post on its own then, so that any error it meets is its own.
      return void (await Promise.all(round.map((q) => this.alone(q))));
    }
    const writing: Writing[] = [];
    const unread = new Set(round);
    for (const r of rows) {
      const q = round[r.n]!;
      unread.delete(q);
      const previous = r.cdr ? toCdr(r.cdr) : undefined;
      let decision: CdrDecision;
      try {
        decision = q.input.decide(previous, r.fleets ?? [], r.session ? toSession(r.session) : undefined);
      } catch (error) {
        q.reject(error);
        continue;
      }
      const out: CdrSaveResult = { decision, outboxIds: [], ...(previous ? { previous } : {}) };
      if (decision.action === 'write') writing.push({ q, out, payload: decision.payload, outbox: decision.outbox });
      else q.resolve(out);
    }
    // READ answers one row a post; should one be missing, that post is not left waiting.
    if (unread.size) await Promise.all([...unread].map((q) => this.alone(q)));
    if (writing.length === 0) return;
    let written: Set<number>;
    let ids: number[];
    try {
      const [result] = await this.db.query<{ written: number[]; ids: number[] }>(WRITE, writeParams(writing));
      written = new Set(result?.written ?? []);
      ids = result?.ids ?? [];
    } catch {
      return void (await Promise.all(writing.map((w) => this.alone(w.q))));
    }
    // The queued rows' ids ascend in the order given: post by post, each post's items in order.
    let next = 0;
    const partners: number[] = [];
    const again: Queued[] = [];
    writing.forEach((w, n) => {
      if (!written.has(n)) return again.push(w.q);
      w.out.outboxIds = ids.slice(next, next + w.outbox.length);
      next += w.outbox.length;
      for (const i of w.outbox) partners.push(i.partnerId);
      w.q.resolve(w.out);
    });
    // This process's outbox worker looks at once (other hubs heard the NOTIFY), as after saveCdr.
    if (partners.length) signalOutbox(this.db, partners);
    // Another hub wrote these sessions between the read and the write: read and decide again.
    await Promise.all(again.map((q) => this.alone(q)));
  }

  /** One post through saveCdr, its outcome (or error) its own. */
  private async alone(q: Queued): Promise<void> {
    try {
      q.resolve(await saveCdr(this.db, q.input.post, q.input.decide));
    } catch (error) {
      q.reject(error);
    }
  }
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

/** WRITE's 21 parameters for the posts that decided to write, `n` their position in `writing`. */
function writeParams(writing: Writing[]): unknown[] {
  const cols: unknown[][] = Array.from({ length: 21 }, () => []);
  writing.forEach((w, n) => {
    const post = w.q.input.post;
    const [start, stop, energy] = cdrColumns(w.payload);
    const row = [n, post.sessionId, w.out.previous?.versions ?? null, post.partnerId, post.partnerIdentifier, post.evseId, post.evseKey, post.userType,
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
