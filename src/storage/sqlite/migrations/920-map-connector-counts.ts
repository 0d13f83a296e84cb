/**
 * The dashboard's totals count connectors from the map's cells, as they count stations. Before,
 * `totals()` joined every connector to its station's map row: 214 ms for two million connectors,
 * on the event loop, every time the statistics page refreshed (every 10 s while it is open). Every
 * request in flight waited that long.
 *
 * `map_stations.connectors` is the station's connector count, kept wherever its summary is: by the
 * connector triggers, by a station posted without the hold, and by the drain of a mark
 * (sqlite/dashboard.ts `refreshMap`), which reads the same connectors for the summary anyway. Each
 * cell's `k` sums the counts of its live stations, moved by 700's triggers with the rest of the
 * cell. A status change still only marks its station (820): its count does not change.
 * PostgreSQL's side is postgres/migrations/910.
 */
import { cellUpsert } from './700-operators.js';
import { STATION_SUMMARY_SQL } from './820-map-dirty.js';
import { NOT_HELD } from './840-station-post-hold.js';

const LEVELS = [6, 10, 13];

const cellsOf = (sign: '+' | '-', row: 'NEW' | 'OLD') => LEVELS.map((level) => cellUpsert(level, sign, row, true)).join('\n  ');

/** A station's summary and connector count, from its connectors `c`. */
const summaryAndCount = (stationId: string) => `(SELECT ${STATION_SUMMARY_SQL}, count(c.station_id) FROM connectors c WHERE c.station_id = ${stationId})`;

export const sql = `
ALTER TABLE map_stations ADD COLUMN connectors INTEGER NOT NULL DEFAULT 0;
ALTER TABLE map_cells ADD COLUMN k INTEGER NOT NULL DEFAULT 0;

-- 700's map_stations_changed does not look at the new column: these updates move no cell.
UPDATE map_stations SET connectors = (SELECT count(*) FROM connectors c WHERE c.station_id = map_stations.station_id);
${LEVELS.map((level) => {
  const size = 360 / 2 ** (level + 2);
  return `UPDATE map_cells SET k = x.k FROM (SELECT CAST((lon + 180) / ${size} AS INTEGER) AS cx, CAST((lat + 90) / ${size} AS INTEGER) AS cy, sum(connectors) AS k
    FROM map_stations WHERE live = 1 GROUP BY 1, 2) AS x WHERE map_cells.level = ${level} AND map_cells.cx = x.cx AND map_cells.cy = x.cy;`;
}).join('\n')}

DROP TRIGGER map_stations_added;
CREATE TRIGGER map_stations_added AFTER INSERT ON map_stations BEGIN
  ${cellsOf('+', 'NEW')}
END;
DROP TRIGGER map_stations_changed;
CREATE TRIGGER map_stations_changed AFTER UPDATE ON map_stations
  WHEN OLD.live IS NOT NEW.live OR OLD.summary IS NOT NEW.summary OR OLD.lat IS NOT NEW.lat OR OLD.lon IS NOT NEW.lon OR OLD.connectors IS NOT NEW.connectors BEGIN
  ${cellsOf('-', 'OLD')}
  ${cellsOf('+', 'NEW')}
END;
DROP TRIGGER map_stations_removed;
CREATE TRIGGER map_stations_removed AFTER DELETE ON map_stations BEGIN
  ${cellsOf('-', 'OLD')}
END;

DROP TRIGGER map_station_posted;
CREATE TRIGGER map_station_posted AFTER INSERT ON stations WHEN ${NOT_HELD} BEGIN
  INSERT INTO map_stations (station_id, lat, lon, live, summary, connectors)
    SELECT NEW.id, NEW.latitude, NEW.longitude, NEW.deleted = 0, x.summary, x.n
    FROM (SELECT ${STATION_SUMMARY_SQL} AS summary, count(c.station_id) AS n FROM connectors c WHERE c.station_id = NEW.id) AS x WHERE true
    ON CONFLICT (station_id) DO UPDATE SET lat = excluded.lat, lon = excluded.lon, live = excluded.live, summary = excluded.summary, connectors = excluded.connectors;
END;
DROP TRIGGER map_connector_added;
CREATE TRIGGER map_connector_added AFTER INSERT ON connectors WHEN ${NOT_HELD} BEGIN
  UPDATE map_stations SET (summary, connectors) = ${summaryAndCount('NEW.station_id')} WHERE station_id = NEW.station_id;
END;
DROP TRIGGER map_connector_removed;
CREATE TRIGGER map_connector_removed AFTER DELETE ON connectors BEGIN
  UPDATE map_stations SET (summary, connectors) = ${summaryAndCount('OLD.station_id')} WHERE station_id = OLD.station_id;
END;
`;
