/**
 * A log of which stations changed, for the in-memory surface index each hub process keeps on
 * PostgreSQL (postgres/poi/surface-live.ts), as SQLite's hub keeps one (sqlite/poi/surface-live.ts).
 * Several processes share the database, so each must learn of the others' writes: every statement
 * that inserts, updates or deletes stations or connectors appends the stations it touched here,
 * with its transaction's id, in the same transaction. A reader asks for the rows of transactions
 * its last snapshot did not see (xid at or above that snapshot's xmax, or among its in-progress
 * xids), reloads those stations as its new snapshot sees them, and is then exact as of that snapshot.
 *
 * - Statement-level triggers with transition tables: a status batch (one UPDATE of many connectors)
 *   appends its rows with one INSERT, not one call per row. A connector whose status alone changed
 *   is logged as itself (`connector_id`): the reader reads that status and sets it in place, as the
 *   SQLite hub does, instead of reloading the station (a second's worth of statuses under load,
 *   reloaded as whole stations, stalled the reader's event loop: p99 67-98 ms against 20-28 in the
 *   status benchmark). A connector moved (station, position), added or removed logs its station; a
 *   station update logs it when any column the index holds changed.
 * - UNLOGGED: no WAL for a row every status change writes. A crash of the server empties it; the
 *   readers see a new `pg_postmaster_start_time()` and rebuild.
 * - A copy (`SET LOCAL oioi.copying = 'on'`, postgres/dump.ts and the bench's bulk load) writes no
 *   log rows; it bumps `surface_log_epoch` once per transaction instead, and every reader rebuilds.
 *   So does TRUNCATE.
 * - Rows are pruned by the readers (surface-live.ts): a row goes once its transaction has been
 *   visible to every snapshot for a minute, and a reader whose last catch-up is older than half
 *   that rebuilds.
 */
const copying = `IF current_setting('oioi.copying', true) = 'on' THEN
    IF current_setting('oioi.surface_epoch_bumped', true) IS DISTINCT FROM 'on' THEN
      UPDATE surface_log_epoch SET epoch = epoch + 1;
      PERFORM set_config('oioi.surface_epoch_bumped', 'on', true);
    END IF;
    RETURN NULL;
  END IF;`;

/** A trigger function appending what `select` gives (station ids, from the transition tables) to the log. */
const logger = (name: string, select: string) => `
CREATE FUNCTION ${name}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  ${copying}
  INSERT INTO surface_log (station_id) ${select};
  RETURN NULL;
END $$;`;

/** Between two versions of a connector: only its status changed (a reader sets it in place, no reload). */
const statusOnly = '(o.station_id, o.position) IS NOT DISTINCT FROM (n.station_id, n.position) AND o.status IS DISTINCT FROM n.status';

/** What the index holds of a station (surface-index.ts IndexedStation). */
const stationColumns = ['name', 'latitude', 'longitude', 'is_private', 'partner_id', 'owner_type', 'static_changed_at', 'deleted'];
const tupleOf = (alias: string, columns: string[]) => `(${columns.map((c) => `${alias}.${c}`).join(', ')})`;

/**
 * A live station `s` as the index and its reservations need it: id, name, coordinates, private flag,
 * owner, owner type, static change time, its connectors [id, status] in position order, and the
 * active reservations of its connectors [connector id, partner id, EVCO ID, starts at, ends at] or
 * null. Also read by surface-live.ts when it builds.
 */
export const STATION_JSON = `json_build_array(s.id, s.name, s.latitude, s.longitude, s.is_private, s.partner_id, s.owner_type, s.static_changed_at,
    coalesce((SELECT json_agg(json_build_array(c.id, c.status) ORDER BY c.position) FROM connectors c WHERE c.station_id = s.id), '[]'),
    (SELECT json_agg(json_build_array(r.connector_id, r.partner_id, r.evco_id, r.starts_at, r.ends_at)) FROM connectors c
      JOIN reservations r ON r.connector_id = c.id AND r.state = 'active' WHERE c.station_id = s.id))`;

/** The statement-level triggers of one table: each change appends to the log; TRUNCATE bumps the epoch. */
const triggersOn = (table: string) => `
CREATE TRIGGER surface_log_${table}_new AFTER INSERT ON ${table} REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION oioi_surface_log_${table}_new();
CREATE TRIGGER surface_log_${table}_changed AFTER UPDATE ON ${table} REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION oioi_surface_log_${table}_changed();
CREATE TRIGGER surface_log_${table}_gone AFTER DELETE ON ${table} REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION oioi_surface_log_${table}_gone();
CREATE TRIGGER surface_log_${table}_truncated AFTER TRUNCATE ON ${table}
  FOR EACH STATEMENT EXECUTE FUNCTION oioi_surface_log_truncated();`;
const triggers = ['stations', 'connectors', 'reservations'].map(triggersOn).join('\n');

export const sql = `
CREATE UNLOGGED TABLE surface_log (
  xid BIGINT NOT NULL DEFAULT pg_current_xact_id()::text::bigint,
  station_id BIGINT NOT NULL,
  -- Set when only this connector's status changed: the reader reads that status, not the station.
  connector_id BIGINT
);
CREATE INDEX surface_log_xid ON surface_log (xid);
CREATE TABLE surface_log_epoch (one BOOLEAN PRIMARY KEY DEFAULT true CHECK (one), epoch BIGINT NOT NULL);
INSERT INTO surface_log_epoch (epoch) VALUES (1);

${logger('oioi_surface_log_stations_new', 'SELECT id FROM new_rows')}
${logger('oioi_surface_log_stations_changed', `SELECT DISTINCT n.id FROM old_rows o JOIN new_rows n ON n.id = o.id
    WHERE ${tupleOf('o', stationColumns)} IS DISTINCT FROM ${tupleOf('n', stationColumns)}`)}
${logger('oioi_surface_log_stations_gone', 'SELECT id FROM old_rows')}
${logger('oioi_surface_log_connectors_new', 'SELECT DISTINCT station_id FROM new_rows')}
CREATE FUNCTION oioi_surface_log_connectors_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  ${copying}
  INSERT INTO surface_log (station_id, connector_id)
    SELECT n.station_id, n.id FROM old_rows o JOIN new_rows n ON n.id = o.id WHERE ${statusOnly}
    UNION ALL (SELECT o.station_id, NULL::bigint FROM old_rows o JOIN new_rows n ON n.id = o.id
      WHERE (o.station_id, o.position) IS DISTINCT FROM (n.station_id, n.position)
      UNION SELECT n.station_id, NULL::bigint FROM old_rows o JOIN new_rows n ON n.id = o.id WHERE n.station_id <> o.station_id);
  RETURN NULL;
END $$;
${logger('oioi_surface_log_connectors_gone', 'SELECT DISTINCT station_id FROM old_rows')}
${logger('oioi_surface_log_reservations_new', 'SELECT DISTINCT c.station_id FROM new_rows r JOIN connectors c ON c.id = r.connector_id')}
${logger('oioi_surface_log_reservations_changed', `SELECT c.station_id FROM old_rows r JOIN connectors c ON c.id = r.connector_id
    UNION SELECT c.station_id FROM new_rows r JOIN connectors c ON c.id = r.connector_id`)}
${logger('oioi_surface_log_reservations_gone', 'SELECT DISTINCT c.station_id FROM old_rows r JOIN connectors c ON c.id = r.connector_id')}

CREATE FUNCTION oioi_surface_log_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE surface_log_epoch SET epoch = epoch + 1;
  RETURN NULL;
END $$;

${triggers}

-- What transactions unseen by a snapshot (xmax, xip) changed, by the log's xid index: the stations
-- to reload, and the connectors whose status alone changed. A generic plan of 'xid >= $1' guesses
-- a third of the log and would scan all of it (planning the statement on every call instead cost
-- 0.9 ms a call). STABLE: sees its caller's snapshot.
CREATE FUNCTION oioi_surface_log_since(after_xmax BIGINT, after_xip BIGINT[], OUT stations BIGINT[], OUT connectors BIGINT[])
LANGUAGE plpgsql STABLE SET enable_seqscan = off SET enable_bitmapscan = off
AS $$
BEGIN
  SELECT coalesce(array_agg(DISTINCT l.station_id) FILTER (WHERE l.connector_id IS NULL), '{}'),
         coalesce(array_agg(DISTINCT l.connector_id) FILTER (WHERE l.connector_id IS NOT NULL), '{}')
    INTO stations, connectors
    FROM (SELECT station_id, connector_id FROM surface_log WHERE xid >= after_xmax
          UNION ALL SELECT station_id, connector_id FROM surface_log WHERE xid = ANY(after_xip)) l;
END
$$;

-- What a reader asks (surface-live.ts): those stations and statuses as the statement's snapshot
-- sees them, with that snapshot. STABLE: every query inside sees the calling statement's snapshot.
CREATE FUNCTION oioi_surface_changes(after_xmax BIGINT, after_xip BIGINT[]) RETURNS json LANGUAGE plpgsql STABLE
AS $$
DECLARE
  changed RECORD := oioi_surface_log_since(after_xmax, after_xip);
  snap pg_snapshot := pg_current_snapshot();
BEGIN
  RETURN json_build_object(
    'xmax', pg_snapshot_xmax(snap)::text::bigint,
    'xip', (SELECT coalesce(array_agg(x::text::bigint), '{}') FROM pg_snapshot_xip(snap) x),
    'epoch', (SELECT epoch FROM surface_log_epoch),
    'server', pg_postmaster_start_time(),
    'changed', changed.stations,
    'stations', CASE WHEN cardinality(changed.stations) = 0 THEN '[]'::json ELSE
      (SELECT coalesce(json_agg(${STATION_JSON}), '[]') FROM stations s WHERE s.id = ANY(changed.stations) AND s.deleted = 0) END,
    -- [station id, connector id, status]
    'statuses', CASE WHEN cardinality(changed.connectors) = 0 THEN '[]'::json ELSE
      (SELECT coalesce(json_agg(json_build_array(c.station_id, c.id, c.status)), '[]') FROM connectors c WHERE c.id = ANY(changed.connectors)) END
  );
END
$$;
`;
