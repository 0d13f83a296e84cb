/**
 * Connector statuses leave station-get-surface's table on the status path (issue 7): 800 rewrote
 * a `surface_stations` row in every status change (one more random page and about 27 µs of CPU
 * per status, 40% of the call). Now a status change only marks its station in `map_dirty` (820),
 * the row's `statuses` is refreshed when the mark is drained (the hub's map refresher, every
 * 500 ms, or a dashboard read), and the surface query takes a marked station's statuses from
 * `connectors` itself (sqlite/poi/surface.ts), so an answer is never stale. Few stations are
 * marked at any time, and their rows are the recently changed, cached ones.
 */
import { connectorStatuses, keyOf } from './800-surface.js';

export const sql = `
DROP TRIGGER surface_connector_status;
CREATE TRIGGER surface_statuses_refreshed AFTER DELETE ON map_dirty BEGIN
  UPDATE surface_stations SET statuses = ${connectorStatuses('OLD.station_id')} WHERE ${keyOf('OLD.station_id')};
END;
`;
