/**
 * What SQLite's triggers keep for the map and station-get-surface (the map's summaries and marks,
 * migrations 700, 820, 920; the surface rows, 800, 880), made at once from `stations` and
 * `connectors`. `oioi migrate` into SQLite copies with those triggers dropped and calls this at
 * the end (sqlite/dump.ts): row by row, each copied connector summarised its station again and
 * moved six cell rows, nine tenths of a copy's time.
 */
import { cellSize, AGGREGATE_LEVELS } from '../dashboard.js';
import { COLUMNS, rowOf } from './migrations/800-surface.js';
import { STATION_SUMMARY_SQL } from './migrations/820-map-dirty.js';

/** The tables the rebuild makes, which are all that SQLite's triggers write. */
export const REBUILT_TABLES = ['map_dirty', 'map_cells', 'map_stations', 'surface_staging', 'surface_stations'];

/**
 * The statements, in order. Example: `db.exec(MAP_REBUILD_SQL)` inside the copy's transaction.
 * A station's cell uses the same arithmetic as 700's triggers (`CAST(… / size AS INTEGER)`).
 */
export const MAP_REBUILD_SQL = `
${REBUILT_TABLES.map((t) => `DELETE FROM ${t};`).join('\n')}
INSERT INTO map_stations (station_id, lat, lon, live, summary, connectors)
  SELECT s.id, s.latitude, s.longitude, s.deleted = 0, ${STATION_SUMMARY_SQL}, count(c.station_id)
  FROM stations s LEFT JOIN connectors c ON c.station_id = s.id GROUP BY s.id;
${AGGREGATE_LEVELS.map((level) => {
  const size = cellSize(level);
  return `INSERT INTO map_cells (level, cx, cy, n, slat, slon, available, occupied, reserved, offline, unknown, k)
  SELECT ${level}, CAST((lon + 180) / ${size} AS INTEGER) AS x, CAST((lat + 90) / ${size} AS INTEGER) AS y, count(*), sum(lat), sum(lon),
    sum(summary = 'Available'), sum(summary = 'Occupied'), sum(summary = 'Reserved'), sum(summary = 'Offline'), sum(summary = 'Unknown'), sum(connectors)
  FROM map_stations WHERE live = 1 GROUP BY x, y;`;
}).join('\n')}
INSERT INTO surface_stations (${COLUMNS})
  SELECT ${rowOf('s')} FROM stations s WHERE s.deleted = 0 ORDER BY 1, 2;
`;
