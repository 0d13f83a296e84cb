/**
 * station-get-surface's own copy of what it answers (issue 7): one narrow row per live station,
 * clustered by position, so one city box is a few contiguous key ranges of a few pages instead of
 * R*Tree hits plus ~300 rows of `stations` and `connectors` scattered over the whole file.
 *
 * `surface_stations` is a WITHOUT ROWID table keyed by (cell, id): `cell` is the Morton (Z-order)
 * code of the station's cell in a 65536 x 65536 grid of the world (about 600 x 300 m in Europe).
 * A row holds exactly what the surface query filters on and answers: position, visibility
 * (private, owner), company type, name, last static change, and the connectors' ids and statuses
 * (comma-separated, in connector position order). Soft-deleted stations have no row.
 *
 * Triggers keep it in the same transaction as the change, whoever writes (the hub, the CLI, a
 * copy): a status change rewrites one row (its cell found from the station's coordinates, so no
 * extra index is kept). `surfaceCellSql` and `surfaceCellOf` (poi/surface.ts) compute the same cell.
 */

/** Bits per axis of the grid whose Morton code is `cell`. */
export const SURFACE_CELL_BITS = 16;

/** The grid column (from longitude) and row (from latitude) as SQL, clamped to the grid. */
function axisSql(value: string, offset: number, span: number): string {
  const max = 2 ** SURFACE_CELL_BITS - 1;
  return `max(0, min(${max}, CAST((${value} + ${offset}.0) * ${2 ** SURFACE_CELL_BITS}.0 / ${span}.0 AS INTEGER)))`;
}

/**
 * The Morton code of the cell of (`lat`, `lon`) as one SQL expression: x bits even, y bits odd.
 * `from` names where `lat` and `lon` come from (a table and condition), when not NEW/OLD.
 */
export function surfaceCellSql(lat: string, lon: string, from = ''): string {
  const terms: string[] = [];
  for (let i = 0; i < SURFACE_CELL_BITS; i++) {
    terms.push(`(((x >> ${i}) & 1) << ${2 * i})`, `(((y >> ${i}) & 1) << ${2 * i + 1})`);
  }
  return `(SELECT ${terms.join(' | ')} FROM (SELECT ${axisSql(lon, 180, 360)} AS x, ${axisSql(lat, 90, 180)} AS y${from ? ` FROM ${from}` : ''}))`;
}

/**
 * Connector ids, then statuses, of station `id` in position order (comma-separated). The ordered
 * subquery (walked on `connectors_station`), not `group_concat(… ORDER BY …)`: SQLite before 3.44
 * (the sqlite3 shell of Debian 12, say) could not even open a schema holding that syntax.
 */
export const connectorIds = (id: string) => `coalesce((SELECT group_concat(id, ',') FROM (SELECT c.id FROM connectors c WHERE c.station_id = ${id} ORDER BY c.position)), '')`;
export const connectorStatuses = (id: string) => `coalesce((SELECT group_concat(status, ',') FROM (SELECT c.status FROM connectors c WHERE c.station_id = ${id} ORDER BY c.position)), '')`;

/** The surface row of station row `s` (NEW or a table alias), built from `stations` and `connectors`. */
export const rowOf = (s: string) => `${surfaceCellSql(`${s}.latitude`, `${s}.longitude`)}, ${s}.id, ${s}.latitude, ${s}.longitude, ${s}.is_private, ${s}.partner_id,
    ${s}.owner_type, ${s}.name, ${s}.static_changed_at, ${connectorIds(`${s}.id`)}, ${connectorStatuses(`${s}.id`)}`;

/** The columns of a surface row, key first (also of 880's `surface_staging`). */
export const COLUMNS = 'cell, id, lat, lon, is_private, partner_id, owner_type, name, static_changed_at, connector_ids, statuses';

/** The definitions of a surface row's columns after its key (also 880's `surface_staging`'s). */
export const ROW_COLUMN_DEFINITIONS = `lat REAL NOT NULL,
  lon REAL NOT NULL,
  is_private INTEGER NOT NULL,
  partner_id INTEGER NOT NULL,
  owner_type TEXT,
  name TEXT NOT NULL,
  static_changed_at INTEGER NOT NULL,
  connector_ids TEXT NOT NULL,           -- '12,13': connectors.id in position order
  statuses TEXT NOT NULL                 /* 'Available,Unknown': their statuses, same order */`;

/** The row key of station `id`, its coordinates read from `stations` (the trigger's station is live there). */
export const keyOf = (id: string) => `cell = ${surfaceCellSql('s.latitude', 's.longitude', `stations s WHERE s.id = ${id}`)} AND id = ${id}`;

export const sql = `
CREATE TABLE surface_stations (
  cell INTEGER NOT NULL,                 -- Morton code of the station's grid cell (see above)
  id INTEGER NOT NULL,                   -- stations.id
  ${ROW_COLUMN_DEFINITIONS},
  PRIMARY KEY (cell, id)
) WITHOUT ROWID;

INSERT INTO surface_stations (${COLUMNS})
  SELECT ${rowOf('s')} FROM stations s WHERE s.deleted = 0 ORDER BY 1, 2;

CREATE TRIGGER surface_station_added AFTER INSERT ON stations WHEN NEW.deleted = 0 BEGIN
  INSERT OR REPLACE INTO surface_stations (${COLUMNS}) VALUES (${rowOf('NEW')});
END;
CREATE TRIGGER surface_station_changed AFTER UPDATE ON stations
  WHEN OLD.deleted IS NOT NEW.deleted OR OLD.latitude IS NOT NEW.latitude OR OLD.longitude IS NOT NEW.longitude
    OR OLD.is_private IS NOT NEW.is_private OR OLD.partner_id IS NOT NEW.partner_id OR OLD.owner_type IS NOT NEW.owner_type
    OR OLD.name IS NOT NEW.name OR OLD.static_changed_at IS NOT NEW.static_changed_at BEGIN
  DELETE FROM surface_stations WHERE cell = ${surfaceCellSql('OLD.latitude', 'OLD.longitude')} AND id = OLD.id;
  INSERT OR REPLACE INTO surface_stations (${COLUMNS}) SELECT ${rowOf('NEW')} WHERE NEW.deleted = 0;
END;
CREATE TRIGGER surface_station_removed AFTER DELETE ON stations BEGIN
  DELETE FROM surface_stations WHERE cell = ${surfaceCellSql('OLD.latitude', 'OLD.longitude')} AND id = OLD.id;
END;
CREATE TRIGGER surface_connector_added AFTER INSERT ON connectors BEGIN
  UPDATE surface_stations SET connector_ids = ${connectorIds('NEW.station_id')}, statuses = ${connectorStatuses('NEW.station_id')}
    WHERE ${keyOf('NEW.station_id')};
END;
CREATE TRIGGER surface_connector_removed AFTER DELETE ON connectors BEGIN
  UPDATE surface_stations SET connector_ids = ${connectorIds('OLD.station_id')}, statuses = ${connectorStatuses('OLD.station_id')}
    WHERE ${keyOf('OLD.station_id')};
END;
CREATE TRIGGER surface_connector_moved AFTER UPDATE OF position, station_id ON connectors
  WHEN OLD.position IS NOT NEW.position OR OLD.station_id IS NOT NEW.station_id BEGIN
  UPDATE surface_stations SET connector_ids = ${connectorIds('OLD.station_id')}, statuses = ${connectorStatuses('OLD.station_id')}
    WHERE ${keyOf('OLD.station_id')};
  UPDATE surface_stations SET connector_ids = ${connectorIds('NEW.station_id')}, statuses = ${connectorStatuses('NEW.station_id')}
    WHERE ${keyOf('NEW.station_id')};
END;
-- The status path: one row rewritten, its key from the station's coordinates.
CREATE TRIGGER surface_connector_status AFTER UPDATE OF status ON connectors WHEN OLD.status IS NOT NEW.status BEGIN
  UPDATE surface_stations SET statuses = ${connectorStatuses('NEW.station_id')} WHERE ${keyOf('NEW.station_id')};
END;
`;
