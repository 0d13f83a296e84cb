/**
 * station-post on PostgreSQL in one transaction, with the same rules and outcomes as
 * sqlite/poi/save-station.ts. Transaction-scoped advisory locks on the station's key and on each
 * posted EVSE key make concurrent posts (from several hubs) that could clash take turns, so the
 * checks (fixed connector set, EVSE IDs not shared across owners) and the write see the same data.
 * Four round trips, the statements prepared once per connection: BEGIN with the locks, one read,
 * one write, COMMIT (it was seven to nine: each look-up and each table its own statement).
 */
import type { SaveStationOutcome, StationInput } from '../../poi.js';
import { SAME_PLACE_DEGREES } from '../../sqlite/poi/save-station.js';
import pg from 'pg';
import { queryConfig, type Client, type NamedStatement } from '../database.js';

export interface StationRow { id: number | null; deleted: number; is_private: number; data: string; latitude: number; longitude: number; static_changed_at: number }
export interface ConnectorRow { id: number; evse_id: string; evse_key: string; type: string; speed: number; position: number }
export interface ConflictRow { evse_key: string; latitude: number; longitude: number }

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
 * Everything a post decides on, in one round trip: the stored station (its columns NULL when
 * there is none), its connectors in position order, and the live stations of other owners
 * holding one of the posted EVSE keys. $1 owner, $2 CPO station id, $3 the posted EVSE keys.
 */
const READ: NamedStatement = { name: 'oioi_station_read', text: `SELECT ${readColumns('$1', '$3::text[]')} FROM (SELECT 1) AS one ${readJoin('$1', '$2')}` };

/** READ's columns for the post whose owner and EVSE keys are the SQL values given; the station is `s`. */
export function readColumns(owner: string, keys: string): string {
  return `s.id, s.deleted, s.is_private, s.data, s.latitude, s.longitude, s.static_changed_at,
    (SELECT coalesce(json_agg(json_build_object('id', c.id, 'evse_id', c.evse_id, 'evse_key', c.evse_key, 'type', c.type, 'speed', c.speed, 'position', c.position)
      ORDER BY c.position), '[]') FROM connectors c WHERE c.station_id = s.id) AS connectors,
    (SELECT coalesce(json_agg(json_build_object('evse_key', c.evse_key, 'latitude', o.latitude, 'longitude', o.longitude)), '[]')
      FROM connectors c JOIN stations o ON o.id = c.station_id WHERE c.evse_key = ANY(${keys}) AND o.deleted = 0 AND o.partner_identifier <> ${owner}) AS conflicts`;
}

/** READ's join of the stored station `s` by the owner and CPO station id given. */
export function readJoin(owner: string, cpoId: string): string {
  return `LEFT JOIN stations s ON s.partner_identifier = ${owner} AND s.cpo_station_id = ${cpoId}`;
}

/** A new station and its connectors in one statement. $1-$7 the fields, $8 owner, $9 CPO station id, $10 time, $11-$14 the connectors. */
const INSERT: NamedStatement = {
  name: 'oioi_station_insert',
  text: `WITH s AS (
    INSERT INTO stations (partner_id, name, latitude, longitude, is_private, is_free_charge, data, partner_identifier, cpo_station_id, deleted, static_changed_at, created_at)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 0, $10, $10) RETURNING id
  ), c AS (
    INSERT INTO connectors (station_id, position, evse_id, evse_key, type, speed)
    SELECT s.id, n - 1, e, k, t, sp FROM s, unnest($11::text[], $12::text[], $13::text[], $14::float8[]) WITH ORDINALITY AS u(e, k, t, sp, n) ORDER BY n
  )
  SELECT id FROM s`,
};

/** A stored station's fields and changed connectors in one statement. $1-$7 the fields, $8 its time, $9 its id, $10-$14 the connector changes. */
const UPDATE: NamedStatement = {
  name: 'oioi_station_update',
  text: `WITH c AS (
    UPDATE connectors c SET position = u.p, evse_id = u.e, type = u.t, speed = u.s
    FROM unnest($10::int[], $11::text[], $12::text[], $13::float8[], $14::bigint[]) AS u(p, e, t, s, id) WHERE c.id = u.id
  )
  UPDATE stations SET partner_id = $1, name = $2, latitude = $3, longitude = $4, is_private = $5, is_free_charge = $6, data = $7, deleted = 0, static_changed_at = $8
  WHERE id = $9`,
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
export type StationRead = (Omit<StationRow, 'id'> & { id: number | null; connectors: ConnectorRow[]; conflicts: ConflictRow[] }) | undefined;

/**
 * What a post does, decided from its read: nothing more (the outcome is final), mark a station
 * deleted, insert a new one, or update a stored one (its fields and the connectors that changed).
 */
export type StationPlan =
  | { write: 'none'; outcome: SaveStationOutcome }
  | { write: 'delete'; id: number; outcome: SaveStationOutcome }
  | { write: 'insert'; data: string }
  | { write: 'update'; id: number; data: string; changedAt: number; connectors: ConnectorUpdate[]; outcome: SaveStationOutcome };

/** A stored connector's new position, EVSE ID, type and speed: [position, evse_id, type, speed, id]. */
export type ConnectorUpdate = [number, string, string, number, number];

/**
 * Decides a post from what READ found, by the rules of sqlite/poi/save-station.ts. Example:
 * `planStation(input, read).write` -> 'insert' for a station not stored yet.
 */
export function planStation(input: StationInput, read: StationRead): StationPlan {
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

/** The station fields both writes set, in the order INSERT's and UPDATE's $1-$7 take them. */
export function stationFields(input: StationInput, data: string): unknown[] {
  return [input.ownerPartnerId, input.name, input.latitude, input.longitude, input.isPrivate ? 1 : 0, input.isFreeCharge ? 1 : 0, data];
}

/** READ's parameters for a post. */
export function readParams(input: StationInput): unknown[] {
  return [input.ownerIdentifier, input.cpoStationId, input.connectors.map((x) => x.evseKey)];
}

/**
 * Creates, updates, deletes or brings back a station: one read and one write. Must run inside a
 * transaction that took stationLocks(input) first.
 */
export async function saveStationTx(c: Client, input: StationInput): Promise<SaveStationOutcome> {
  const { rows: [read] } = await c.query<NonNullable<StationRead>>(queryConfig(READ, readParams(input)));
  const plan = planStation(input, read);
  switch (plan.write) {
    case 'none':
      return plan.outcome;
    case 'delete':
      await c.query('UPDATE stations SET deleted = 1, static_changed_at = $1 WHERE id = $2', [input.at, plan.id]);
      return plan.outcome;
    case 'insert': {
      const cs = input.connectors;
      const { rows } = await c.query<{ id: number }>(queryConfig(INSERT, [...stationFields(input, plan.data), input.ownerIdentifier, input.cpoStationId, input.at,
        cs.map((x) => x.evseId), cs.map((x) => x.evseKey), cs.map((x) => x.type), cs.map((x) => x.speed)]));
      return { ok: true, stationId: rows[0]!.id, created: true, changed: true, deleted: false };
    }
    case 'update': {
      const u = plan.connectors;
      await c.query(queryConfig(UPDATE, [...stationFields(input, plan.data), plan.changedAt, plan.id,
        u.map((x) => x[0]), u.map((x) => x[1]), u.map((x) => x[2]), u.map((x) => x[3]), u.map((x) => x[4])]));
      return plan.outcome;
    }
  }
}
