/**
 * A new station's surface row waits in `surface_staging` (issue 7, scenario "station"). Its place
 * in `surface_stations` (800), keyed by (cell, id), is a random page of a large table: 1.5 of the
 * 2.5 WAL pages a station-post of a new station wrote, with its splits. `surface_staging` is keyed
 * by the station id alone, which station-post hands out in increasing order, so its rows append
 * to one page.
 *
 * Only station-post stages, in its create path (sqlite/poi/save-station.ts), where 870 also marks
 * the new station in `map_dirty`; so every staged station is marked. Draining the mark (the map
 * refresher, or a map read) moves the row into `surface_stations` with its current statuses, in
 * the background, a slice of stations at a time. Any other change of a staged station first moves
 * its row the same way (the BEFORE triggers below), so 800's AFTER triggers, which update
 * `surface_stations` rows in place, find it there: a staged row never goes stale, except for its
 * statuses, which readers take from `connectors` while the station is marked (830).
 *
 * A live station thus has its surface row in exactly one of the two tables; readers of surface rows
 * (sqlite/poi/surface.ts, surface-live.ts) read both, and the dashboard drains first.
 */
import { COLUMNS, ROW_COLUMN_DEFINITIONS, connectorStatuses, keyOf } from './800-surface.js';

/** Moves station `id`'s staged row, if any, into surface_stations (statuses as of now) when `live`. */
const unstage = (id: string, live = '1') => `
  INSERT OR REPLACE INTO surface_stations (${COLUMNS})
    SELECT cell, id, lat, lon, is_private, partner_id, owner_type, name, static_changed_at, connector_ids, ${connectorStatuses('g.id')}
    FROM surface_staging g WHERE g.id = ${id} AND ${live};
  DELETE FROM surface_staging WHERE id = ${id};`;

const staged = (id: string) => `EXISTS (SELECT 1 FROM surface_staging WHERE id = ${id})`;

export const sql = `
CREATE TABLE surface_staging (
  id INTEGER PRIMARY KEY,                -- stations.id
  cell INTEGER NOT NULL,                 -- as surface_stations
  ${ROW_COLUMN_DEFINITIONS}
);

CREATE TRIGGER surface_unstage_station BEFORE UPDATE ON stations WHEN ${staged('OLD.id')} BEGIN ${unstage('OLD.id', 'NEW.deleted = 0')}
END;
CREATE TRIGGER surface_unstage_removed BEFORE DELETE ON stations WHEN ${staged('OLD.id')} BEGIN
  DELETE FROM surface_staging WHERE id = OLD.id;
END;
CREATE TRIGGER surface_unstage_connector_added BEFORE INSERT ON connectors WHEN ${staged('NEW.station_id')} BEGIN ${unstage('NEW.station_id')}
END;
CREATE TRIGGER surface_unstage_connector_removed BEFORE DELETE ON connectors WHEN ${staged('OLD.station_id')} BEGIN ${unstage('OLD.station_id')}
END;
CREATE TRIGGER surface_unstage_connector_moved BEFORE UPDATE OF position, station_id ON connectors
  WHEN ${staged('OLD.station_id')} OR ${staged('NEW.station_id')} BEGIN ${unstage('OLD.station_id')} ${unstage('NEW.station_id')}
END;

-- Draining a mark moves a staged row first, then 870's statuses refresh runs on the row in place.
DROP TRIGGER surface_statuses_refreshed;
CREATE TRIGGER surface_statuses_refreshed AFTER DELETE ON map_dirty BEGIN ${unstage('OLD.station_id')}
  UPDATE surface_stations SET statuses = v.now FROM (SELECT ${connectorStatuses('OLD.station_id')} AS now) AS v
    WHERE ${keyOf('OLD.station_id')} AND surface_stations.statuses IS NOT v.now;
END;
`;
