/**
 * Dashboard (issue 9): operators and their sessions, and the map's status aggregates.
 *
 * The map must answer clustered views of a million stations in milliseconds, so counting stations
 * per grid cell cannot scan the R*Tree at low zoom. `map_stations` keeps each station's position
 * and status summary (station-get-surface's rule), and `map_cells` the count, position sums and
 * per-summary counts of the stations in each grid cell at three levels (6: cells of 360/256
 * degrees, 10: 360/4096, 13: 360/32768, about a kilometre). Triggers on `stations` and `connectors` keep both in the same
 * transaction as the change, so other writers (the CLI, a second hub) need no code of ours.
 * Private stations are on the operator's map too: only soft-deleted ones are left out.
 */
/**
 * Adds (`+`) or removes (`-`) one `map_stations` row's share of its cell at `level`; with
 * `connectors` (migration 920) its connector count too, into the cell's `k`.
 */
export const cellUpsert = (level: number, sign: '+' | '-', row: 'NEW' | 'OLD', connectors = false) => {
  const size = 360 / 2 ** (level + 2);
  const k = (s: string) => `(${row}.summary = '${s}')`;
  const cx = `CAST((${row}.lon + 180) / ${size} AS INTEGER)`;
  const cy = `CAST((${row}.lat + 90) / ${size} AS INTEGER)`;
  // SELECT … WHERE (not VALUES) so a soft-deleted side adds nothing; the WHERE also keeps
  // SQLite from reading ON CONFLICT as a join constraint.
  return `INSERT INTO map_cells (level, cx, cy, n, slat, slon, available, occupied, reserved, offline, unknown${connectors ? ', k' : ''})
    SELECT ${level}, ${cx}, ${cy}, ${sign}1, ${sign}${row}.lat, ${sign}${row}.lon, ${sign}${k('Available')}, ${sign}${k('Occupied')}, ${sign}${k('Reserved')}, ${sign}${k('Offline')}, ${sign}${k('Unknown')}${connectors ? `, ${sign}${row}.connectors` : ''}
    WHERE ${row}.live = 1
    ON CONFLICT (level, cx, cy) DO UPDATE SET n = n + excluded.n, slat = slat + excluded.slat, slon = slon + excluded.slon,
      available = available + excluded.available, occupied = occupied + excluded.occupied, reserved = reserved + excluded.reserved,
      offline = offline + excluded.offline, unknown = unknown + excluded.unknown${connectors ? ', k = k + excluded.k' : ''};`;
};

/** A station's summary from its connectors: Available > Occupied (or Reserved) > all Offline > Unknown. */
const summaryOf = (stationId: string) => `(SELECT CASE
    WHEN sum(c.status = 'Available') > 0 THEN 'Available'
    WHEN sum(c.status IN ('Occupied','Reserved')) > 0 THEN 'Occupied'
    WHEN count(*) > 0 AND sum(c.status <> 'Offline') = 0 THEN 'Offline'
    ELSE 'Unknown' END FROM connectors c WHERE c.station_id = ${stationId})`;

export const sql = `
CREATE TABLE operators (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL UNIQUE,
  password_hash TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE TABLE operator_sessions (
  token_hash TEXT PRIMARY KEY,
  operator_id INTEGER NOT NULL REFERENCES operators(id),
  created_at INTEGER NOT NULL,          -- ms since epoch
  expires_at INTEGER NOT NULL
);
CREATE INDEX operator_sessions_expiry ON operator_sessions(expires_at);

-- The dashboard's searches (by EVSE, EVCO ID / UID, session) and a CDR's forwarding history.
CREATE INDEX dash_remote_sessions_user ON remote_sessions(user_key);
CREATE INDEX dash_cdrs_evse ON cdrs(evse_key);
CREATE INDEX dash_cdrs_user ON cdrs(upper(replace(replace(user_id, '*', ''), '-', '')));
CREATE INDEX dash_outbox_subject ON outbox(subject, id);

CREATE TABLE map_stations (
  station_id INTEGER PRIMARY KEY,
  lat REAL NOT NULL,
  lon REAL NOT NULL,
  live INTEGER NOT NULL,                -- 0 when soft-deleted
  summary TEXT NOT NULL DEFAULT 'Unknown'
);
CREATE TABLE map_cells (
  level INTEGER NOT NULL,
  cx INTEGER NOT NULL,                  -- floor((lon + 180) / size)
  cy INTEGER NOT NULL,                  -- floor((lat + 90) / size)
  n INTEGER NOT NULL,
  slat REAL NOT NULL,
  slon REAL NOT NULL,
  available INTEGER NOT NULL,
  occupied INTEGER NOT NULL,
  reserved INTEGER NOT NULL,
  offline INTEGER NOT NULL,
  unknown INTEGER NOT NULL,
  PRIMARY KEY (level, cx, cy)
) WITHOUT ROWID;

INSERT INTO map_stations (station_id, lat, lon, live, summary)
  SELECT s.id, s.latitude, s.longitude, s.deleted = 0, ${summaryOf('s.id')} FROM stations s;
${[6, 10, 13]
  .map((level) => {
    const size = 360 / 2 ** (level + 2);
    return `INSERT INTO map_cells SELECT ${level}, CAST((lon + 180) / ${size} AS INTEGER) AS x, CAST((lat + 90) / ${size} AS INTEGER) AS y, count(*), sum(lat), sum(lon),
    sum(summary = 'Available'), sum(summary = 'Occupied'), sum(summary = 'Reserved'), sum(summary = 'Offline'), sum(summary = 'Unknown')
    FROM map_stations WHERE live = 1 GROUP BY x, y;`;
  })
  .join('\n')}

CREATE TRIGGER map_stations_added AFTER INSERT ON map_stations BEGIN
  ${cellUpsert(6, '+', 'NEW')}
  ${cellUpsert(10, '+', 'NEW')}
  ${cellUpsert(13, '+', 'NEW')}
END;
CREATE TRIGGER map_stations_changed AFTER UPDATE ON map_stations
  WHEN OLD.live IS NOT NEW.live OR OLD.summary IS NOT NEW.summary OR OLD.lat IS NOT NEW.lat OR OLD.lon IS NOT NEW.lon BEGIN
  ${cellUpsert(6, '-', 'OLD')}
  ${cellUpsert(10, '-', 'OLD')}
  ${cellUpsert(13, '-', 'OLD')}
  ${cellUpsert(6, '+', 'NEW')}
  ${cellUpsert(10, '+', 'NEW')}
  ${cellUpsert(13, '+', 'NEW')}
END;

-- An upsert: a copy (oioi migrate) may write a station whose summary row is already there.
CREATE TRIGGER map_station_posted AFTER INSERT ON stations BEGIN
  INSERT INTO map_stations (station_id, lat, lon, live, summary) VALUES (NEW.id, NEW.latitude, NEW.longitude, NEW.deleted = 0, ${summaryOf('NEW.id')})
    ON CONFLICT (station_id) DO UPDATE SET lat = excluded.lat, lon = excluded.lon, live = excluded.live, summary = excluded.summary;
END;
-- The hub never deletes stations or connectors (soft delete), but a copy clears tables first.
CREATE TRIGGER map_station_removed AFTER DELETE ON stations BEGIN
  DELETE FROM map_stations WHERE station_id = OLD.id;
END;
CREATE TRIGGER map_stations_removed AFTER DELETE ON map_stations BEGIN
  ${cellUpsert(6, '-', 'OLD')}
  ${cellUpsert(10, '-', 'OLD')}
  ${cellUpsert(13, '-', 'OLD')}
END;
CREATE TRIGGER map_connector_removed AFTER DELETE ON connectors BEGIN
  UPDATE map_stations SET summary = ${summaryOf('OLD.station_id')} WHERE station_id = OLD.station_id;
END;
CREATE TRIGGER map_station_reposted AFTER UPDATE OF latitude, longitude, deleted ON stations
  WHEN OLD.latitude IS NOT NEW.latitude OR OLD.longitude IS NOT NEW.longitude OR OLD.deleted IS NOT NEW.deleted BEGIN
  UPDATE map_stations SET lat = NEW.latitude, lon = NEW.longitude, live = NEW.deleted = 0 WHERE station_id = NEW.id;
END;
CREATE TRIGGER map_connector_added AFTER INSERT ON connectors BEGIN
  UPDATE map_stations SET summary = ${summaryOf('NEW.station_id')} WHERE station_id = NEW.station_id;
END;
CREATE TRIGGER map_connector_status AFTER UPDATE OF status ON connectors WHEN OLD.status IS NOT NEW.status BEGIN
  UPDATE map_stations SET summary = ${summaryOf('NEW.station_id')} WHERE station_id = NEW.station_id;
END;
`;
