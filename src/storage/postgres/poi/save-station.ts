/**
 * station-post on PostgreSQL in one transaction, with the same rules and outcomes as
 * sqlite/poi/save-station.ts, for one post or for the posts of a turn that share no key
 * (save-station-batch.ts). Transaction-scoped advisory locks on each station's key and on each
 * posted EVSE key make concurrent posts (from several hubs) that could clash take turns, so the
 * checks (fixed connector set, EVSE IDs not shared across owners) and the write see the same data.
 * Four round trips, the statements prepared once per connection: BEGIN with the locks, one read,
 * one write per kind (new, updated, deleted stations), COMMIT (it was seven to nine for one post:
 * each look-up and each table its own statement).
 */
import type { SaveStationOutcome, StationInput } from '../../poi.js';
import { SAME_PLACE_DEGREES } from '../../sqlite/poi/save-station.js';
import pg from 'pg';
import { queryConfig, type Client, type NamedStatement } from '../database.js';

interface StationRow { id: number | null; deleted: number; is_private: number; data: string; latitude: number; longitude: number; static_changed_at: number }
interface ConnectorRow { id: number; evse_id: string; evse_key: string; type: string; speed: number; position: number }
interface ConflictRow { evse_key: string; latitude: number; longitude: number }

function samePlace(a: { latitude: number; longitude: number }, b: { latitude: number; longitude: number }): boolean {
  return Math.abs(a.latitude - b.latitude) <= SAME_PLACE_DEGREES && Math.abs(a.longitude - b.longitude) <= SAME_PLACE_DEGREES;
}

/** The keys a post locks: its station's identity and every EVSE key it names. Example: `stationLockKeys(input)`. */
export function stationLockKeys(input: StationInput): string[] {
  return [`station:${JSON.stringify([input.ownerIdentifier, input.cpoStationId])}`, ...input.connectors.map((x) => `evse:${x.evseKey}`)];
}

/**
 * The SQL that locks (for the transaction) the station's identity and every EVSE key it names, in
 * one sorted order (no deadlock), and defers the map of a new station. Sent with the BEGIN (PgDatabase.tx's `first`), hence literals.
 * Example: `await db.tx((c) => saveStationTx(c, input), stationLocks(input))`.
 */
export function stationLocks(input: StationInput): string {
  return stationsLocks([input]);
}

/** stationLocks for the posts of one transaction: every key of each, in one sorted order. Example: `stationsLocks(inputs)`. */
export function stationsLocks(inputs: readonly StationInput[]): string {
  const keys = [...new Set(inputs.flatMap(stationLockKeys))].sort();
  // map_later: the new station reaches the dashboard's map cells in the background (migration 870).
  return `SET LOCAL oioi.map_later = 'on'; SELECT pg_advisory_xact_lock(hashtext(k)) FROM unnest(ARRAY[${keys.map((k) => pg.escapeLiteral(k)).join(', ')}]::text[]) WITH ORDINALITY AS u(k, n) ORDER BY n`;
}

/**
 * Everything each post decides on, in one round trip (a JSON array of posts, `n` each one's
 * position): the stored station (its columns NULL when there is none), its connectors in position
 * order, and the live stations of other owners holding one of the posted EVSE keys.
 */
const READ: NamedStatement = {
  name: 'oioi_station_read',
  text: `SELECT p.n, s.id, s.deleted, s.is_private, s.data, s.latitude, s.longitude, s.static_changed_at,
    (SELECT coalesce(json_agg(json_build_object('id', c.id, 'evse_id', c.evse_id, 'evse_key', c.evse_key, 'type', c.type, 'speed', c.speed, 'position', c.position)
      ORDER BY c.position), '[]') FROM connectors c WHERE c.station_id = s.id) AS connectors,
    (SELECT coalesce(json_agg(json_build_object('evse_key', c.evse_key, 'latitude', o.latitude, 'longitude', o.longitude)), '[]')
      FROM connectors c JOIN stations o ON o.id = c.station_id WHERE c.evse_key = ANY(p.keys) AND o.deleted = 0 AND o.partner_identifier <> p.owner) AS conflicts
  FROM json_to_recordset($1::json) AS p(n int, owner text, cpo_id text, keys text[])
  LEFT JOIN stations s ON s.partner_identifier = p.owner AND s.cpo_station_id = p.cpo_id`,
};

/**
 * New stations ($1-$11, one element a station, `n` its position in the batch) and their connectors
 * ($12-$17, one element a connector, `n` its station's), in one statement; each new station's id by `n`.
 */
const INSERT: NamedStatement = {
  name: 'oioi_station_insert',
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
  name: 'oioi_station_update',
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
  name: 'oioi_station_delete',
  text: 'UPDATE stations SET deleted = 1, static_changed_at = u.at FROM unnest($1::bigint[], $2::bigint[]) AS u(id, at) WHERE stations.id = u.id',
};

/** The first EVSE ID of the post that a live station of another owner already uses (322 before 230). */
function evseConflict(input: StationInput, rows: ConflictRow[]): SaveStationOutcome | undefined {
  if (rows.length === 0) return undefined;
  let sameSpot: SaveStationOutcome | undefined;
  for (const x of input.connectors) {
    const others = rows.filter((r) => r.evse_key === x.evseKey);
    if (others.length === 0) continue;
    if (others.some((o) => !samePlace(o, input))) return { ok: false, reason: 'evse-taken', evseId: x.evseId, sameCoordinates: false };
    sameSpot ??= { ok: false, reason: 'evse-taken', evseId: x.evseId, sameCoordinates: true };
  }
  return sameSpot;
}

/** What READ gives for one post (undefined or an all-NULL station: none stored). */
type StationRead = (Omit<StationRow, 'id'> & { id: number | null; connectors: ConnectorRow[]; conflicts: ConflictRow[] }) | undefined;

/**
 * What a post does, decided from its read: nothing more (the outcome is final), mark a station
 * deleted, insert a new one, or update a stored one (its fields and the connectors that changed).
 */
type StationPlan =
  | { write: 'none'; outcome: SaveStationOutcome }
  | { write: 'delete'; id: number; outcome: SaveStationOutcome }
  | { write: 'insert'; data: string }
  | { write: 'update'; id: number; data: string; changedAt: number; connectors: ConnectorUpdate[]; outcome: SaveStationOutcome };

/** A stored connector's new position, EVSE ID, type and speed: [position, evse_id, type, speed, id]. */
type ConnectorUpdate = [number, string, string, number, number];

/**
 * Decides a post from what READ found, by the rules of sqlite/poi/save-station.ts. Example:
 * `planStation(input, read).write` -> 'insert' for a station not stored yet.
 */
function planStation(input: StationInput, read: StationRead): StationPlan {
  const existing = read && read.id !== null ? { ...read, id: read.id } : undefined;
  if (input.deleted) {
    // Deleting changes nothing but the flag: the connectors stay as they were, for a later undelete.
    if (!existing) return { write: 'none', outcome: { ok: true, stationId: null, created: false, changed: false, deleted: true } };
    if (existing.deleted) return { write: 'none', outcome: { ok: true, stationId: existing.id, created: false, changed: false, deleted: true } };
    return { write: 'delete', id: existing.id, outcome: { ok: true, stationId: existing.id, created: false, changed: true, deleted: true } };
  }

  const current = existing?.connectors ?? [];
  if (existing) {
    const posted = new Set(input.connectors.map((x) => x.evseKey));
    const stored = new Set(current.map((x) => x.evse_key));
    const added = input.connectors.filter((x) => !stored.has(x.evseKey)).map((x) => x.evseId);
    const removed = current.filter((x) => !posted.has(x.evse_key)).map((x) => x.evse_id);
    if (added.length || removed.length) return { write: 'none', outcome: { ok: false, reason: 'connector-set-changed', added, removed } };
  }
  const conflict = evseConflict(input, read?.conflicts ?? []);
  if (conflict) return { write: 'none', outcome: conflict };

  const data = JSON.stringify(input.data);
  if (!existing) return { write: 'insert', data };

  const byKey = new Map(current.map((x) => [x.evse_key, x]));
  let changed = existing.deleted === 1 || existing.data !== data;
  const connectors: ConnectorUpdate[] = [];
  input.connectors.forEach((x, i) => {
    const old = byKey.get(x.evseKey)!;
    if (old.position === i && old.evse_id === x.evseId && old.type === x.type && old.speed === x.speed) return;
    connectors.push([i, x.evseId, x.type, x.speed, old.id]);
    changed = true;
  });
  // A re-post of identical data keeps last-static-change: CPOs often re-send everything nightly.
  return {
    write: 'update', id: existing.id, data, changedAt: changed ? input.at : existing.static_changed_at, connectors,
    outcome: { ok: true, stationId: existing.id, created: false, changed, deleted: false },
  };
}

/** The station fields both writes set, in the order INSERT's and UPDATE's first parameters take them. */
function stationFields(input: StationInput, data: string): unknown[] {
  return [input.ownerPartnerId, input.name, input.latitude, input.longitude, input.isPrivate ? 1 : 0, input.isFreeCharge ? 1 : 0, data];
}

/**
 * Creates, updates, deletes or brings back a station: one read and one write. Must run inside a
 * transaction that took stationLocks(input) first.
 */
export async function saveStationTx(c: Client, input: StationInput): Promise<SaveStationOutcome> {
  return (await saveStationsTx(c, [input]))[0]!;
}

/** Saves posts that share no key, in one transaction that took all their locks; one outcome per post, in order. */
export async function saveStationsTx(c: Client, inputs: readonly StationInput[]): Promise<SaveStationOutcome[]> {
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
