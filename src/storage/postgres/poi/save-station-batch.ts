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
import { inRounds, saveInRounds, TurnQueue, type Pending } from '../batch.js';
import type { Client, NamedStatement, PgDatabase } from '../database.js';
import { queryConfig } from '../database.js';
import {
  planStation, readColumns, readJoin, saveStationTx, stationFields, stationLockKeys, stationLocks, stationsLocks,
  type ConnectorUpdate, type StationRead,
} from './save-station.js';

/** Posts in one transaction at most; a larger turn takes several. */
export const MAX_STATION_BATCH = 256;

/** save-station.ts's READ for many posts (a JSON array, `n` each one's position). */
const READ: NamedStatement = {
  name: 'oioi_station_read_batch',
  text: `SELECT p.n, ${readColumns('p.owner', 'p.keys')}
    FROM json_to_recordset($1::json) AS p(n int, owner text, cpo_id text, keys text[]) ${readJoin('p.owner', 'p.cpo_id')}`,
};

/**
 * New stations ($1-$11, one element a station, `n` its position in the batch) and their connectors
 * ($12-$17, one element a connector, `n` its station's), in one statement; each new station's id by `n`.
 */
const INSERT: NamedStatement = {
  name: 'oioi_station_insert_batch',
  text: `WITH p AS (
    SELECT * FROM unnest($1::int[], $2::bigint[], $3::text[], $4::float8[], $5::float8[], $6::int[], $7::int[], $8::text[], $9::text[], $10::text[], $11::bigint[])
      AS p(n, partner_id, name, lat, lon, is_private, is_free, data, owner, cpo_id, at)
  ), s AS (
    INSERT INTO stations (partner_id, name, latitude, longitude, is_private, is_free_charge, data, partner_identifier, cpo_station_id, deleted, static_changed_at, created_at)
    SELECT partner_id, name, lat, lon, is_private, is_free, data, owner, cpo_id, 0, at, at FROM p ORDER BY n
    RETURNING id, partner_identifier, cpo_station_id
  ), ids AS (
    SELECT p.n, s.id FROM s JOIN p ON p.owner = s.partner_identifier AND p.cpo_id = s.cpo_station_id
  ), c AS (
    INSERT INTO connectors (station_id, position, evse_id, evse_key, type, speed)
    SELECT ids.id, u.position, u.e, u.k, u.t, u.sp
    FROM unnest($12::int[], $13::int[], $14::text[], $15::text[], $16::text[], $17::float8[]) AS u(n, position, e, k, t, sp) JOIN ids ON ids.n = u.n
    ORDER BY u.n, u.position
  )
  SELECT n, id FROM ids`,
};

/** Stored stations' fields ($1-$9, one element a station) and their changed connectors ($10-$14, one element a connector). */
const UPDATE: NamedStatement = {
  name: 'oioi_station_update_batch',
  text: `WITH c AS (
    UPDATE connectors c SET position = u.p, evse_id = u.e, type = u.t, speed = u.s
    FROM unnest($10::int[], $11::text[], $12::text[], $13::float8[], $14::bigint[]) AS u(p, e, t, s, id) WHERE c.id = u.id
  )
  UPDATE stations SET partner_id = u.partner_id, name = u.name, latitude = u.lat, longitude = u.lon, is_private = u.is_private, is_free_charge = u.is_free,
    data = u.data, deleted = 0, static_changed_at = u.at
  FROM unnest($1::bigint[], $2::text[], $3::float8[], $4::float8[], $5::int[], $6::int[], $7::text[], $8::bigint[], $9::bigint[])
    AS u(partner_id, name, lat, lon, is_private, is_free, data, at, id)
  WHERE stations.id = u.id`,
};

/** Stations marked deleted: $1 their ids, $2 the times. */
const DELETE: NamedStatement = {
  name: 'oioi_station_delete_batch',
  text: 'UPDATE stations SET deleted = 1, static_changed_at = u.at FROM unnest($1::bigint[], $2::bigint[]) AS u(id, at) WHERE stations.id = u.id',
};

/** Saves posts that share no key, in one transaction that took all their locks; one outcome per post, in order. */
async function saveStationsTx(c: Client, inputs: readonly StationInput[]): Promise<SaveStationOutcome[]> {
  const rows = (await c.query<NonNullable<StationRead> & { n: number }>(queryConfig(READ, [JSON.stringify(inputs.map((i, n) => ({
    n, owner: i.ownerIdentifier, cpo_id: i.cpoStationId, keys: i.connectors.map((x) => x.evseKey),
  })))]))).rows;
  const reads = new Map(rows.map((r) => [r.n, r]));
  const outcomes: Array<SaveStationOutcome | undefined> = [];
  const inserts: Array<{ n: number; data: string }> = [];
  const updates: Array<{ n: number; data: string; at: number; id: number; connectors: ConnectorUpdate[] }> = [];
  const deletes: Array<[number, number]> = [];
  inputs.forEach((input, n) => {
    const plan = planStation(input, reads.get(n));
    if (plan.write === 'insert') return inserts.push({ n, data: plan.data });
    outcomes[n] = plan.outcome;
    if (plan.write === 'update') updates.push({ n, data: plan.data, at: plan.changedAt, id: plan.id, connectors: plan.connectors });
    else if (plan.write === 'delete') deletes.push([plan.id, input.at]);
  });
  if (inserts.length) {
    const p: unknown[][] = Array.from({ length: 17 }, () => []);
    for (const { n, data } of inserts) {
      const input = inputs[n]!;
      [n, ...stationFields(input, data), input.ownerIdentifier, input.cpoStationId, input.at].forEach((v, i) => p[i]!.push(v));
      input.connectors.forEach((x, position) => [n, position, x.evseId, x.evseKey, x.type, x.speed].forEach((v, i) => p[11 + i]!.push(v)));
    }
    for (const r of (await c.query<{ n: number; id: number }>(queryConfig(INSERT, p))).rows) {
      outcomes[r.n] = { ok: true, stationId: r.id, created: true, changed: true, deleted: false };
    }
  }
  if (updates.length) {
    const p: unknown[][] = Array.from({ length: 14 }, () => []);
    for (const u of updates) {
      [...stationFields(inputs[u.n]!, u.data), u.at, u.id].forEach((v, i) => p[i]!.push(v));
      for (const x of u.connectors) x.forEach((v, i) => p[9 + i]!.push(v));
    }
    await c.query(queryConfig(UPDATE, p));
  }
  if (deletes.length) await c.query(queryConfig(DELETE, [deletes.map((d) => d[0]), deletes.map((d) => d[1])]));
  return inputs.map((input, n) => {
    const outcome = outcomes[n];
    // Every post has a row in READ and every insert an id; anything else is a bug, not a post's fault.
    if (!outcome) throw new Error(`station-post batch: no outcome for ${input.cpoStationId}`);
    return outcome;
  });
}

/** A post waiting for its turn's batch. */
type Queued = Pending<StationInput, SaveStationOutcome>;

/** Gathers the station saves of one turn. Example: `const saves = new StationSaveBatcher(db); await saves.save(input)`. */
export class StationSaveBatcher {
  private readonly calls: TurnQueue<StationInput, SaveStationOutcome>;

  constructor(private readonly db: PgDatabase, private readonly maxBatch = MAX_STATION_BATCH) {
    // The whole turn at once: its rounds keep the order of posts sharing a key, whatever their number.
    this.calls = new TurnQueue((queued) => void this.saveRounds(queued));
  }

  /** As PoiRepository.saveStation; resolves once the post's transaction committed. */
  save(input: StationInput): Promise<SaveStationOutcome> {
    return this.calls.push(input);
  }

  private async saveRounds(queued: Queued[]): Promise<void> {
    // Posts sharing a station or an EVSE key in successive transactions, as one after the other.
    await saveInRounds(inRounds(queued, (q) => stationLockKeys(q.input)), (round) => this.saveRound(round), this.maxBatch);
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

  private async alone(q: Queued): Promise<void> {
    try {
      q.resolve(await this.db.tx((c) => saveStationTx(c, q.input), stationLocks(q.input)));
    } catch (error) {
      q.reject(error);
    }
  }
}
