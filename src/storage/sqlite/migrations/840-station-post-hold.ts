/**
 * station-post writes a new station's derived rows once (issue 7, scenario "station"). Per
 * connector inserted, 800's `surface_connector_added` rewrote the station's `surface_stations` row
 * (its key's Morton code computed in SQL, both connector lists re-read) and 700's
 * `map_connector_added` recomputed its map summary: with the row 800's `surface_station_added`
 * built first, three rewrites of one row for a two-connector station, about a third of the
 * post's storage CPU.
 *
 * Those three triggers now stand aside while `station_post_hold` holds a row. Only station-post
 * (sqlite/poi/save-station.ts) puts one there, around its own insert of a new station with its
 * connectors, and takes it out before its write ends: no other writer ever sees it (it is
 * never committed), so the CLI, a copy (`oioi migrate`) or the bench's bulk load keep the
 * triggers' behaviour. Meanwhile station-post writes the surface row itself, once, after the
 * connectors, from what it inserted: the same row a from-scratch computation gives. The map
 * summary needs nothing: `map_station_posted` computed it when the station was inserted (no
 * connectors: 'Unknown'), and station-post inserts connectors only into the station it has just
 * created, each 'Unknown', which leaves the summary 'Unknown'.
 */
import { STATION_SUMMARY_SQL } from './820-map-dirty.js';
import { COLUMNS, connectorIds, connectorStatuses, keyOf, rowOf } from './800-surface.js';

/** Whether no station-post holds the triggers below (a trigger's WHEN). */
export const NOT_HELD = 'NOT EXISTS (SELECT 1 FROM station_post_hold)';

export const sql = `
-- At most one row, and only inside a station-post's own statements (never committed).
CREATE TABLE station_post_hold (only INTEGER PRIMARY KEY CHECK (only = 1));

DROP TRIGGER surface_station_added;
CREATE TRIGGER surface_station_added AFTER INSERT ON stations WHEN NEW.deleted = 0 AND ${NOT_HELD} BEGIN
  INSERT OR REPLACE INTO surface_stations (${COLUMNS}) VALUES (${rowOf('NEW')});
END;
DROP TRIGGER surface_connector_added;
CREATE TRIGGER surface_connector_added AFTER INSERT ON connectors WHEN ${NOT_HELD} BEGIN
  UPDATE surface_stations SET connector_ids = ${connectorIds('NEW.station_id')}, statuses = ${connectorStatuses('NEW.station_id')}
    WHERE ${keyOf('NEW.station_id')};
END;
DROP TRIGGER map_connector_added;
CREATE TRIGGER map_connector_added AFTER INSERT ON connectors WHEN ${NOT_HELD} BEGIN
  UPDATE map_stations SET summary = (SELECT ${STATION_SUMMARY_SQL} FROM connectors c WHERE c.station_id = NEW.station_id) WHERE station_id = NEW.station_id;
END;
`;
