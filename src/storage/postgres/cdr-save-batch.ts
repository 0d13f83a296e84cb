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
import { readCdrPosts, saveCdr, writeCdrPosts, type CdrRead, type CdrWrite } from './cdr-save.js';
import { queueInRounds, settleWith, type Pending, type TurnQueue } from './batch.js';
import type { PgDatabase } from './database.js';

/** Posts in one statement at most; a larger turn takes several. */
export const MAX_CDR_BATCH = 256;

/** A save waiting for its turn's batch. */
type Queued = Pending<{ post: CdrPost; decide: CdrDecider }, CdrSaveResult>;

/** A post that decided to write: its call, its result so far and what it writes. */
interface Writing { q: Queued; out: CdrSaveResult; write: CdrWrite }

/**
 * Gathers the CdrRepository.save calls of one turn into batches. Example:
 * `const saves = new CdrSaveBatcher(db); await saves.save(post, decide)`.
 */
export class CdrSaveBatcher {
  private readonly calls: TurnQueue<{ post: CdrPost; decide: CdrDecider }, CdrSaveResult>;

  constructor(private readonly db: PgDatabase, maxBatch = MAX_CDR_BATCH) {
    // Posts of one session in successive rounds, each deciding on the record the one before left.
    this.calls = queueInRounds((input) => [input.post.sessionId], (round) => this.saveRound(round), maxBatch);
  }

  /** As CdrRepository.save; resolves once the post's own write committed (or it decided not to write). */
  save(post: CdrPost, decide: CdrDecider): Promise<CdrSaveResult> {
    return this.calls.push({ post, decide });
  }

  private async saveRound(round: Queued[]): Promise<void> {
    if (round.length === 1) return this.alone(round[0]!);
    let reads: Array<CdrRead | undefined>;
    try {
      reads = await readCdrPosts(this.db, round.map((q) => q.input.post));
    } catch {
      // Each post on its own then, so that any error it meets is its own.
      return void (await Promise.all(round.map((q) => this.alone(q))));
    }
    const writing: Writing[] = [];
    const unread: Queued[] = [];
    round.forEach((q, n) => {
      const read = reads[n];
      if (!read) return unread.push(q);
      const { previous } = read;
      let decision: CdrDecision;
      try {
        decision = q.input.decide(previous, read.fleets, read.session);
      } catch (error) {
        return q.reject(error);
      }
      const out: CdrSaveResult = { decision, outboxIds: [], ...(previous ? { previous } : {}) };
      if (decision.action !== 'write') return q.resolve(out);
      writing.push({ q, out, write: { post: q.input.post, ...(previous ? { previous } : {}), payload: decision.payload, outbox: decision.outbox } });
    });
    // READ answers one row a post; should one be missing, that post is not left waiting.
    if (unread.length) await Promise.all(unread.map((q) => this.alone(q)));
    if (writing.length === 0) return;
    let written: Array<number[] | undefined>;
    try {
      written = await writeCdrPosts(this.db, writing.map((w) => w.write));
    } catch {
      return void (await Promise.all(writing.map((w) => this.alone(w.q))));
    }
    const again: Queued[] = [];
    writing.forEach((w, n) => {
      const ids = written[n];
      if (!ids) return again.push(w.q);
      w.out.outboxIds = ids;
      w.q.resolve(w.out);
    });
    // Another hub wrote these sessions between the read and the write: read and decide again.
    await Promise.all(again.map((q) => this.alone(q)));
  }

  /** One post through saveCdr, its outcome (or error) its own. */
  private alone(q: Queued): Promise<void> {
    return settleWith(q, () => saveCdr(this.db, q.input.post, q.input.decide));
  }
}
