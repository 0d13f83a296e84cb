/**
 * station-post on PostgreSQL in one transaction, with the same rules and outcomes as
 * sqlite/poi/save-station.ts. Transaction-scoped advisory locks on the station's key and on each
 * posted EVSE key make concurrent posts (from several hubs) that could clash take turns, so the
 * checks (fixed connector set, EVSE IDs not shared across owners) and the write see the same data.
 */
import type { SaveStationOutcome, StationInput } from '../../poi.js';
import { SAME_PLACE_DEGREES } from '../../sqlite/poi/save-station.js';
import type { Client } from '../database.js';

interface StationRow { id: number; deleted: number; is_private: number; data: string; latitude: number; longitude: number; static_changed_at: number }
interface ConnectorRow { id: number; evse_id: string; evse_key: string; type: string; speed: number; position: number }

function samePlace(a: { latitude: number; longitude: number }, b: { latitude: number; longitude: number }): boolean {
  return Math.abs(a.latitude - b.latitude) <= SAME_PLACE_DEGREES && Math.abs(a.longitude - b.longitude) <= SAME_PLACE_DEGREES;
}

/** Locks (for this transaction) the station's identity and every EVSE key it names, in one sorted order (no deadlock). */
async function lockKeys(c: Client, input: StationInput): Promise<void> {
  const keys = [...new Set([`station:${JSON.stringify([input.ownerIdentifier, input.cpoStationId])}`, ...input.connectors.map((x) => `evse:${x.evseKey}`)])].sort();
  await c.query('SELECT pg_advisory_xact_lock(hashtext(k)) FROM unnest($1::text[]) WITH ORDINALITY AS u(k, n) ORDER BY n', [keys]);
}

/** The first EVSE ID of the post that a live station of another owner already uses (322 before 230). */
async function evseConflict(c: Client, input: StationInput): Promise<SaveStationOutcome | undefined> {
  if (input.connectors.length === 0) return undefined;
  const { rows } = await c.query<{ evse_key: string; latitude: number; longitude: number }>(
    `SELECT c.evse_key, s.latitude, s.longitude FROM connectors c JOIN stations s ON s.id = c.station_id
     WHERE c.evse_key = ANY($1::text[]) AND s.deleted = 0 AND s.partner_identifier <> $2`,
    [input.connectors.map((x) => x.evseKey), input.ownerIdentifier],
  );
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

/** Creates, updates, deletes or brings back a station. Must run inside a transaction. */
export async function saveStationTx(c: Client, input: StationInput): Promise<SaveStationOutcome> {
  await lockKeys(c, input);
  const [existing] = (await c.query<StationRow>(
    'SELECT id, deleted, is_private, data, latitude, longitude, static_changed_at FROM stations WHERE partner_identifier = $1 AND cpo_station_id = $2',
    [input.ownerIdentifier, input.cpoStationId],
  )).rows;
  if (input.deleted) {
    // Deleting changes nothing but the flag: the connectors stay as they were, for a later undelete.
    if (!existing) return { ok: true, stationId: null, created: false, changed: false, deleted: true };
    if (existing.deleted) return { ok: true, stationId: existing.id, created: false, changed: false, deleted: true };
    await c.query('UPDATE stations SET deleted = 1, static_changed_at = $1 WHERE id = $2', [input.at, existing.id]);
    return { ok: true, stationId: existing.id, created: false, changed: true, deleted: true };
  }

  const current = existing
    ? (await c.query<ConnectorRow>('SELECT id, evse_id, evse_key, type, speed, position FROM connectors WHERE station_id = $1 ORDER BY position', [existing.id])).rows
    : [];
  if (existing) {
    const posted = new Set(input.connectors.map((x) => x.evseKey));
    const stored = new Set(current.map((x) => x.evse_key));
    const added = input.connectors.filter((x) => !stored.has(x.evseKey)).map((x) => x.evseId);
    const removed = current.filter((x) => !posted.has(x.evse_key)).map((x) => x.evse_id);
    if (added.length || removed.length) return { ok: false, reason: 'connector-set-changed', added, removed };
  }
  const conflict = await evseConflict(c, input);
  if (conflict) return conflict;

  const data = JSON.stringify(input.data);
  const fields = [input.ownerPartnerId, input.name, input.latitude, input.longitude, input.isPrivate ? 1 : 0, input.isFreeCharge ? 1 : 0, data];
  if (!existing) {
    const { rows } = await c.query<{ id: number }>(
      `INSERT INTO stations (partner_id, name, latitude, longitude, is_private, is_free_charge, data, partner_identifier, cpo_station_id, deleted, static_changed_at, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 0, $10, $10) RETURNING id`,
      [...fields, input.ownerIdentifier, input.cpoStationId, input.at],
    );
    const id = rows[0]!.id;
    if (input.connectors.length) {
      await c.query(
        `INSERT INTO connectors (station_id, position, evse_id, evse_key, type, speed)
         SELECT $1, n - 1, e, k, t, s FROM unnest($2::text[], $3::text[], $4::text[], $5::float8[]) WITH ORDINALITY AS u(e, k, t, s, n) ORDER BY n`,
        [id, input.connectors.map((x) => x.evseId), input.connectors.map((x) => x.evseKey), input.connectors.map((x) => x.type), input.connectors.map((x) => x.speed)],
      );
    }
    return { ok: true, stationId: id, created: true, changed: true, deleted: false };
  }

  const byKey = new Map(current.map((x) => [x.evse_key, x]));
  let changed = existing.deleted === 1 || existing.data !== data;
  const updates: Array<[number, string, string, number, number]> = [];
  input.connectors.forEach((x, i) => {
    const old = byKey.get(x.evseKey)!;
    if (old.position === i && old.evse_id === x.evseId && old.type === x.type && old.speed === x.speed) return;
    updates.push([i, x.evseId, x.type, x.speed, old.id]);
    changed = true;
  });
  if (updates.length) {
    await c.query(
      `UPDATE connectors c SET position = u.p, evse_id = u.e, type = u.t, speed = u.s
       FROM unnest($1::int[], $2::text[], $3::text[], $4::float8[], $5::bigint[]) AS u(p, e, t, s, id) WHERE c.id = u.id`,
      [updates.map((u) => u[0]), updates.map((u) => u[1]), updates.map((u) => u[2]), updates.map((u) => u[3]), updates.map((u) => u[4])],
    );
  }
  // A re-post of identical data keeps last-static-change: CPOs often re-send everything nightly.
  await c.query(
    `UPDATE stations SET partner_id = $1, name = $2, latitude = $3, longitude = $4, is_private = $5, is_free_charge = $6, data = $7, deleted = 0, static_changed_at = $8
     WHERE id = $9`,
    [...fields, changed ? input.at : existing.static_changed_at, existing.id],
  );
  return { ok: true, stationId: existing.id, created: false, changed, deleted: false };
}
