/**
 * A new station reaches the dashboard's map aggregates in the background (issue 7, scenario
 * "station"). 700's `map_station_posted` added every new station to `map_cells` at three levels in
 * the station-post's own transaction: about 1.8 random WAL pages and 20 µs of CPU per new station,
 * for a map nobody may be watching, during a CPO's full load of its network.
 *
 * While station-post holds its triggers (840's `station_post_hold`, only around its own insert of
 * a new station) the station's map row is written as not yet live, which adds nothing to any cell,
 * and the station is marked in `map_dirty`. Draining that mark (sqlite/dashboard.ts `refreshMap`:
 * the hub's map refresher, or any map read first) sets the row live, and 700's
 * `map_stations_changed` adds the station to its cells then, in a batch of marks sharing pages.
 * A mark is written in the post's transaction, so a crash loses nothing. Writers that do not hold
 * (the CLI, a copy, the bench's bulk load) keep 700's behaviour, the map updated at once.
 *
 * 830's `surface_statuses_refreshed` now rewrites a surface row only when its statuses differ:
 * a new station's row (or a status changed and changed back) is left as it is, not copied into
 * the WAL once more.
 */
import { STATION_SUMMARY_SQL } from './820-map-dirty.js';
import { NOT_HELD } from './840-station-post-hold.js';
import { connectorStatuses, keyOf } from './800-surface.js';

export const sql = `
DROP TRIGGER map_station_posted;
CREATE TRIGGER map_station_posted AFTER INSERT ON stations WHEN ${NOT_HELD} BEGIN
  INSERT INTO map_stations (station_id, lat, lon, live, summary)
    VALUES (NEW.id, NEW.latitude, NEW.longitude, NEW.deleted = 0, (SELECT ${STATION_SUMMARY_SQL} FROM connectors c WHERE c.station_id = NEW.id))
    ON CONFLICT (station_id) DO UPDATE SET lat = excluded.lat, lon = excluded.lon, live = excluded.live, summary = excluded.summary;
END;
CREATE TRIGGER map_station_posted_later AFTER INSERT ON stations WHEN NOT ${NOT_HELD} BEGIN
  INSERT INTO map_stations (station_id, lat, lon, live, summary) VALUES (NEW.id, NEW.latitude, NEW.longitude, 0, 'Unknown')
    ON CONFLICT (station_id) DO UPDATE SET lat = excluded.lat, lon = excluded.lon, live = excluded.live, summary = excluded.summary;
  INSERT INTO map_dirty (station_id) VALUES (NEW.id) ON CONFLICT (station_id) DO NOTHING;
END;

DROP TRIGGER surface_statuses_refreshed;
CREATE TRIGGER surface_statuses_refreshed AFTER DELETE ON map_dirty BEGIN
  UPDATE surface_stations SET statuses = v.now FROM (SELECT ${connectorStatuses('OLD.station_id')} AS now) AS v
    WHERE ${keyOf('OLD.station_id')} AND surface_stations.statuses IS NOT v.now;
END;
`;
