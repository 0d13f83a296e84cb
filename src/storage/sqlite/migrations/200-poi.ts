/**
 * Stations and connectors (shared/protocol.md, "POI"). Hub ids are the INTEGER PRIMARY KEYs and
 * never change: a soft-deleted station keeps its row and comes back with the same ids.
 * `station_rtree` holds live public stations only (rows are removed on soft delete), so box
 * queries never meet deleted ones and need no join with `stations` when no filter asks for one;
 * live private stations sit in `private_station_rtree`, looked at only for their owner. R*Trees
 * store 32-bit floats, so exact box edges are checked on `stations` for the few candidates near one.
 */
export const sql = `
CREATE TABLE stations (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  partner_id INTEGER NOT NULL REFERENCES partners(id),   -- the CPO: its company id
  partner_identifier TEXT NOT NULL,                      -- the owner: posted under this identifier
  cpo_station_id TEXT NOT NULL,                          -- the CPO's station.id
  name TEXT NOT NULL,
  latitude REAL NOT NULL,
  longitude REAL NOT NULL,
  is_private INTEGER NOT NULL DEFAULT 0,
  is_free_charge INTEGER NOT NULL DEFAULT 0,
  owner_type TEXT,                                       -- company type of the owner (hotel…), curated later
  deleted INTEGER NOT NULL DEFAULT 0,
  data TEXT NOT NULL,                                    -- JSON: static data as posted, without connectors
  static_changed_at INTEGER NOT NULL,                    -- ms since epoch
  created_at INTEGER NOT NULL,
  UNIQUE (partner_identifier, cpo_station_id)
);
CREATE TABLE connectors (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  station_id INTEGER NOT NULL REFERENCES stations(id),
  position INTEGER NOT NULL,                             -- order in the post
  evse_id TEXT NOT NULL,                                 -- as sent
  evse_key TEXT NOT NULL,                                -- upper case, no '*': what comparisons use
  type TEXT NOT NULL,
  speed REAL NOT NULL,
  status TEXT NOT NULL DEFAULT 'Unknown',
  status_changed_at INTEGER                              -- ms since epoch; NULL before any status post
);
CREATE INDEX connectors_evse ON connectors(evse_key);
CREATE INDEX connectors_station ON connectors(station_id, position);
CREATE VIRTUAL TABLE station_rtree USING rtree(id, min_lat, max_lat, min_lon, max_lon);
CREATE VIRTUAL TABLE private_station_rtree USING rtree(id, min_lat, max_lat, min_lon, max_lon);
-- Every time a connector went Occupied: the usage station-get-usage can answer from.
CREATE TABLE station_usage (
  station_id INTEGER NOT NULL,
  at INTEGER NOT NULL                                    -- ms since epoch
);
CREATE INDEX station_usage_station ON station_usage(station_id, at);
`;
