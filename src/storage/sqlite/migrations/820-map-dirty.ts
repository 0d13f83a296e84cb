/**
 * The map's status aggregates leave the status path (issue 7, scenario "status"). Migration 700
 * recomputed a station's summary into `map_stations` on every connector status change, and
 * `map_stations_changed` then moved the station between `map_cells` at three levels: 4 to 7
 * random B-tree pages per status, on the hub's hottest call, for a map nobody may be watching.
 *
 * Now a status change only marks its station in `map_dirty` (one tiny, hot table, drained often).
 * The dashboard repository (sqlite/dashboard.ts `refreshMap`) recomputes the marked stations'
 * summaries with `STATION_SUMMARY_SQL` (700's rule) and deletes their marks in one write; every
 * map read drains the marks first, and the hub drains them in the background (hub/dashboard/
 * map-refresher.ts). The mark is written in the status transaction, so a crash loses nothing.
 * Every other 700 trigger stays: station posts and connector inserts or deletes update the map at
 * once (they are not the hot path).
 */

/**
 * A station's summary from its connectors `c` (700's `summaryOf`, as aggregates over the rows of
 * one station; no row at all is 'Unknown'): Available > Occupied (or Reserved) > all Offline > Unknown.
 */
export const STATION_SUMMARY_SQL = `CASE
    WHEN sum(c.status = 'Available') > 0 THEN 'Available'
    WHEN sum(c.status IN ('Occupied','Reserved')) > 0 THEN 'Occupied'
    WHEN count(c.status) > 0 AND sum(c.status <> 'Offline') = 0 THEN 'Offline'
    ELSE 'Unknown' END`;

export const sql = `
DROP TRIGGER map_connector_status;
CREATE TABLE map_dirty (station_id INTEGER PRIMARY KEY);
-- A mark whose station is gone (a copy clears tables) is deleted by the next refresh, which finds no map_stations row to update.
CREATE TRIGGER map_connector_status_dirty AFTER UPDATE OF status ON connectors WHEN OLD.status IS NOT NEW.status BEGIN
  INSERT INTO map_dirty (station_id) VALUES (NEW.station_id) ON CONFLICT (station_id) DO NOTHING;
END;
`;
