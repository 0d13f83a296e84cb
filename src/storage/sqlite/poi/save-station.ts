/**
 * station-post on SQLite, run inside one write transaction so the checks (fixed connector set,
 * EVSE IDs not shared with other owners) and the write see the same data.
 */
import type Database from 'better-sqlite3';
import type { Db } from '../database.js';
import type { SaveStationOutcome, StationInput } from '../../poi.js';
import { surfaceCellOf } from './surface.js';
import type { IndexedStation } from '../../surface/surface-index.js';

/**
 * Two posts name the same place when their coordinates differ by at most this many degrees
 * (about 11 cm): CPO systems round to 6 or 7 decimals, so exact float equality would be too strict.
 */
export const SAME_PLACE_DEGREES = 1e-6;

interface StationRow { id: number; deleted: number; is_private: number; data: string; latitude: number; longitude: number; static_changed_at: number }
interface ConnectorRow { id: number; evse_id: string; evse_key: string; type: string; speed: number; position: number }

/** The status of a connector station-post creates (the column's default, written out). */
const NEW_STATUS = 'Unknown';

/** EVSE keys looked up by one `foreignEvse` statement at most; a larger station asks in slices. */
const FOREIGN_EVSE_SLICE = 8;

export type SaveStatements = Record<
  | 'byOwner' | 'connectorsOf' | 'insertStation' | 'updateStation' | 'markDeleted' | 'insertConnector' | 'updateConnector'
  | 'hold' | 'unhold' | 'insertSurface',
  Database.Statement
> & {
  /** The foreign-EVSE look-up for `n` keys at once (1 <= n <= FOREIGN_EVSE_SLICE), prepared on first use. */
  foreignEvse(n: number): Database.Statement;
};

/** The prepared statements of station-post; built once per connection. */
export function saveStatements(db: Db): SaveStatements {
  const foreign: Database.Statement[] = [];
  return {
    byOwner: db.prepare('SELECT id, deleted, is_private, data, latitude, longitude, static_changed_at FROM stations WHERE partner_identifier = ? AND cpo_station_id = ?'),
    connectorsOf: db.prepare('SELECT id, evse_id, evse_key, type, speed, position FROM connectors WHERE station_id = ? ORDER BY position'),
    insertStation: db.prepare(`INSERT INTO stations (partner_id, partner_identifier, cpo_station_id, name, latitude, longitude, is_private, is_free_charge, deleted, data, static_changed_at, created_at)
      VALUES (@partnerId, @owner, @cpoId, @name, @lat, @lon, @private, @free, 0, @data, @at, @at)`),
    updateStation: db.prepare(`UPDATE stations SET partner_id = @partnerId, name = @name, latitude = @lat, longitude = @lon, is_private = @private,
      is_free_charge = @free, deleted = 0, data = @data, static_changed_at = @changedAt WHERE id = @id`),
    markDeleted: db.prepare('UPDATE stations SET deleted = 1, static_changed_at = ? WHERE id = ?'),
    insertConnector: db.prepare(`INSERT INTO connectors (station_id, position, evse_id, evse_key, type, speed, status) VALUES (?, ?, ?, ?, ?, ?, '${NEW_STATUS}')`),
    updateConnector: db.prepare('UPDATE connectors SET position = ?, evse_id = ?, type = ?, speed = ? WHERE id = ?'),
    // Migration 840: while held, the per-row triggers leave a new station's surface row (and map summary) to us.
    hold: db.prepare('INSERT INTO station_post_hold (only) VALUES (1)'),
    unhold: db.prepare('DELETE FROM station_post_hold'),
    // Staged (migration 880): appended by id, moved into surface_stations when its map mark is drained.
    // owner_type is NULL: a new station's owner type is curated later.
    insertSurface: db.prepare(`INSERT INTO surface_staging (cell, id, lat, lon, is_private, partner_id, owner_type, name, static_changed_at, connector_ids, statuses)
      VALUES (?, ?, ?, ?, ?, ?, NULL, ?, ?, ?, ?)`),
    foreignEvse: (n) => (foreign[n] ??= db.prepare(
      `SELECT c.evse_key AS key, s.latitude, s.longitude FROM connectors c JOIN stations s ON s.id = c.station_id
        WHERE c.evse_key IN (${Array(n).fill('?').join(', ')}) AND s.deleted = 0 AND s.partner_identifier <> ?`,
    )),
  };
}

function samePlace(a: { latitude: number; longitude: number }, b: { latitude: number; longitude: number }): boolean {
  return Math.abs(a.latitude - b.latitude) <= SAME_PLACE_DEGREES && Math.abs(a.longitude - b.longitude) <= SAME_PLACE_DEGREES;
}

/** The first EVSE ID of the post that a live station of another owner already uses (322 before 230). */
function evseConflict(st: SaveStatements, input: StationInput): SaveStationOutcome | undefined {
  // One look-up for all the post's keys (a slice of them for a large station), then the rule in post order.
  type Other = { key: string; latitude: number; longitude: number };
  let others: Other[] = [];
  const keys = input.connectors.map((c) => c.evseKey);
  for (let i = 0; i < keys.length; i += FOREIGN_EVSE_SLICE) {
    const slice = keys.slice(i, i + FOREIGN_EVSE_SLICE);
    const found = st.foreignEvse(slice.length).all(...slice, input.ownerIdentifier) as Other[];
    if (found.length) others = others.concat(found);
  }
  if (others.length === 0) return undefined;
  let sameSpot: SaveStationOutcome | undefined;
  for (const c of input.connectors) {
    const mine = others.filter((o) => o.key === c.evseKey);
    if (mine.length === 0) continue;
    if (mine.some((o) => !samePlace(o, input))) return { ok: false, reason: 'evse-taken', evseId: c.evseId, sameCoordinates: false };
    sameSpot ??= { ok: false, reason: 'evse-taken', evseId: c.evseId, sameCoordinates: true };
  }
  return sameSpot;
}

/**
 * Called with each station `saveStationTx` creates, as stored (its owner type is curated later),
 * inside the write: what the in-memory surface index (poi/surface-live.ts) needs of it.
 */
export type StationCreated = (station: IndexedStation) => void;

/**
 * Inserts a new station with its connectors and its surface row, the last written once here
 * rather than by 800's triggers once per row (migration 840), into `surface_staging` (880).
 */
function create(st: SaveStatements, input: StationInput, row: Record<string, unknown>, created?: StationCreated): number {
  st.hold.run();
  try {
    const id = Number(st.insertStation.run(row).lastInsertRowid);
    const connectors: IndexedStation['connectors'] = input.connectors.map((c, i) => ({
      id: Number(st.insertConnector.run(id, i, c.evseId, c.evseKey, c.type, c.speed).lastInsertRowid),
      status: NEW_STATUS,
    }));
    const ids = connectors.map((c) => c.id).join(',');
    const statuses = connectors.map((c) => c.status).join(',');
    const isPrivate = input.isPrivate === true;
    st.insertSurface.run(surfaceCellOf(input.latitude, input.longitude), id, input.latitude, input.longitude, isPrivate ? 1 : 0, input.ownerPartnerId, input.name, input.at, ids, statuses);
    created?.({ id, name: input.name, latitude: input.latitude, longitude: input.longitude, isPrivate, partnerId: input.ownerPartnerId, ownerType: null, staticChangedAt: input.at, connectors });
    return id;
  } finally {
    st.unhold.run();
  }
}

/**
 * Creates, updates, deletes or brings back a station. Must run inside a transaction. `created`
 * hears of a new station (not of the other outcomes).
 */
export function saveStationTx(st: SaveStatements, input: StationInput, created?: StationCreated): SaveStationOutcome {
  const existing = st.byOwner.get(input.ownerIdentifier, input.cpoStationId) as StationRow | undefined;
  if (input.deleted) {
    // Deleting changes nothing but the flag: the connectors stay as they were, for a later undelete.
    if (!existing) return { ok: true, stationId: null, created: false, changed: false, deleted: true };
    if (existing.deleted) return { ok: true, stationId: existing.id, created: false, changed: false, deleted: true };
    st.markDeleted.run(input.at, existing.id);
    return { ok: true, stationId: existing.id, created: false, changed: true, deleted: true };
  }

  const current = existing ? (st.connectorsOf.all(existing.id) as ConnectorRow[]) : [];
  if (existing) {
    const posted = new Set(input.connectors.map((c) => c.evseKey));
    const stored = new Set(current.map((c) => c.evse_key));
    const added = input.connectors.filter((c) => !stored.has(c.evseKey)).map((c) => c.evseId);
    const removed = current.filter((c) => !posted.has(c.evse_key)).map((c) => c.evse_id);
    if (added.length || removed.length) return { ok: false, reason: 'connector-set-changed', added, removed };
  }
  const conflict = evseConflict(st, input);
  if (conflict) return conflict;

  const data = JSON.stringify(input.data);
  const row = {
    partnerId: input.ownerPartnerId, owner: input.ownerIdentifier, cpoId: input.cpoStationId, name: input.name,
    lat: input.latitude, lon: input.longitude, private: input.isPrivate ? 1 : 0, free: input.isFreeCharge ? 1 : 0, data, at: input.at,
  };
  if (!existing) return { ok: true, stationId: create(st, input, row, created), created: true, changed: true, deleted: false };

  const byKey = new Map(current.map((c) => [c.evse_key, c]));
  let changed = existing.deleted === 1 || existing.data !== data;
  input.connectors.forEach((c, i) => {
    const old = byKey.get(c.evseKey)!;
    if (old.position === i && old.evse_id === c.evseId && old.type === c.type && old.speed === c.speed) return;
    st.updateConnector.run(i, c.evseId, c.type, c.speed, old.id);
    changed = true;
  });
  // A re-post of identical data keeps last-static-change: CPOs often re-send everything nightly.
  st.updateStation.run({ ...row, id: existing.id, changedAt: changed ? input.at : existing.static_changed_at });
  return { ok: true, stationId: existing.id, created: false, changed, deleted: false };
}
