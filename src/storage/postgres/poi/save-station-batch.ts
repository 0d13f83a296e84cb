/**
 * station-post on PostgreSQL for the posts of one event-loop turn together: one transaction with
 * every post's locks, one read for all of them and one statement per kind of write (new stations
 * with their connectors, updates, deletes), where each post alone takes four round trips
 * (save-station.ts). A CPO loading its network sends hundreds of posts a second; each round trip
 * costs the hub about 100 µs of CPU and the database a backend's wake-up.
 *
 * Posts that touch a common key (the same station, or an EVSE key another post of the turn also
 * names) go in successive transactions, in the order they came, so each decides on what the one
 * before it left, as one after the other. When a transaction fails as a whole (one post's row
 * refused, say), each of its posts is saved on its own, so that an error is its post's alone.
 */
import type { SaveStationOutcome, StationInput } from '../../poi.js';
import { queueInRounds, settleWith, type Pending, type TurnQueue } from '../batch.js';
import type { PgDatabase } from '../database.js';
import { saveStationsTx, saveStationTx, stationLockKeys, stationLocks, stationsLocks } from './save-station.js';

/** Posts in one transaction at most; a larger turn takes several. */
export const MAX_STATION_BATCH = 256;

/** A post waiting for its turn's batch. */
type Queued = Pending<StationInput, SaveStationOutcome>;

/** Gathers the station saves of one turn. Example: `const saves = new StationSaveBatcher(db); await saves.save(input)`. */
export class StationSaveBatcher {
  private readonly calls: TurnQueue<StationInput, SaveStationOutcome>;

  constructor(private readonly db: PgDatabase, maxBatch = MAX_STATION_BATCH) {
    // Posts sharing a station or an EVSE key in successive transactions, as one after the other.
    this.calls = queueInRounds(stationLockKeys, (round) => this.saveRound(round), maxBatch);
  }

  /** As PoiRepository.saveStation; resolves once the post's transaction committed. */
  save(input: StationInput): Promise<SaveStationOutcome> {
    return this.calls.push(input);
  }

  private async saveRound(round: Queued[]): Promise<void> {
    if (round.length === 1) return this.alone(round[0]!);
    const inputs = round.map((q) => q.input);
    let outcomes: SaveStationOutcome[];
    try {
      outcomes = await this.db.tx((c) => saveStationsTx(c, inputs), stationsLocks(inputs));
    } catch {
      // Nothing of the round was written: each post on its own, its error its own.
      return void (await Promise.all(round.map((q) => this.alone(q))));
    }
    round.forEach((q, n) => q.resolve(outcomes[n]!));
  }

  private alone(q: Queued): Promise<void> {
    return settleWith(q, () => this.db.tx((c) => saveStationTx(c, q.input), stationLocks(q.input)));
  }
}
