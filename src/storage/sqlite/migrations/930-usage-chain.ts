/**
 * station-get-usage's history leaves the status path's random pages (issue 7, scenario "status";
 * sqlite/usage-chain.ts). The index on `station_usage(station_id, at)` put one entry on a random
 * leaf for every post that made a connector Occupied: one more WAL frame for about a quarter of the
 * bench's statuses, in an index that grows with every use ever recorded. Storage alone
 * (`bench/writes-micro.ts status --batch 25 --calls 300000`, two runs each): 40.5 and 39.6 µs of
 * process CPU per status with the index, 34.4 and 29.8 without it.
 *
 * Now each use points to the previous one its connector carried, and the connector holds the
 * newest, written in the same row the status change rewrites anyway. Existing rows are chained
 * here per station in time order, with their heads in `station_usage_heads`, which also keeps the
 * chain of a deleted connector. PostgreSQL keeps its index (postgres/migrations/200); its figures
 * are not held against the targets.
 */
import { USAGE_CHAIN_REBUILD_SQL } from '../usage-chain.js';

export const sql = `
ALTER TABLE connectors ADD COLUMN usage_head INTEGER;            -- station_usage row id of this connector's newest use
CREATE TABLE station_usage_heads (station_id INTEGER NOT NULL, head INTEGER NOT NULL, PRIMARY KEY (station_id, head)) WITHOUT ROWID;
-- station_usage is written again with a prev column (the use before this one in its chain) and without its index.
${USAGE_CHAIN_REBUILD_SQL}
-- A deleted connector takes no use with it: its chain stays the station's.
CREATE TRIGGER station_usage_head_kept AFTER DELETE ON connectors WHEN OLD.usage_head IS NOT NULL BEGIN
  INSERT OR IGNORE INTO station_usage_heads (station_id, head) VALUES (OLD.station_id, OLD.usage_head);
END;
`;
