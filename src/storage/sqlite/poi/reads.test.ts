/**
 * Active reservations on SQLite both ways `PoiReads.activeReservations` reads them: probing a few
 * connectors, or reading every active reservation when asked for many connectors (a surface
 * answer), and probing again once there are too many active ones to read whole.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { PoiReads } from './reads.js';

/** The tables PoiReads prepares statements on, but for reservations. */
const POI_TABLES = `CREATE TABLE stations (id INTEGER PRIMARY KEY, partner_id, partner_identifier, cpo_station_id, name, latitude, longitude, is_private, is_free_charge, owner_type, deleted, data, static_changed_at);
    CREATE TABLE connectors (id INTEGER PRIMARY KEY, station_id, position, evse_id, evse_key, type, speed, status, status_changed_at, usage_head);
    CREATE TABLE station_usage (station_id, at, prev);
    CREATE TABLE station_usage_heads (station_id INTEGER PRIMARY KEY, head);`;

function reservationsDb(): Database.Database {
  const db = new Database(':memory:');
  db.exec(`CREATE TABLE reservations (id INTEGER PRIMARY KEY, connector_id INTEGER NOT NULL, partner_id INTEGER NOT NULL, evco_id TEXT,
      starts_at INTEGER NOT NULL, ends_at INTEGER NOT NULL, state TEXT NOT NULL DEFAULT 'active', cpo_reservation_id TEXT, cpo_partner_id INTEGER, evse_id TEXT, ended_at INTEGER);
    CREATE INDEX reservations_connector ON reservations(connector_id, state, ends_at);
    CREATE UNIQUE INDEX reservations_one_active ON reservations(connector_id) WHERE state = 'active';
    ${POI_TABLES}`);
  return db;
}

const byConnector = (rs: Array<{ connectorId: number }>) => [...rs].sort((a, b) => a.connectorId - b.connectorId);

describe('PoiReads.activeReservations on SQLite', () => {
  it('should answer the same active reservations for few and for many connectors', () => {
    const db = reservationsDb();
    const insert = db.prepare('INSERT INTO reservations (connector_id, partner_id, evco_id, starts_at, ends_at, state) VALUES (?, ?, ?, ?, ?, ?)');
    insert.run(1, 7, 'DE*ABC*C1', 100, 200, 'active');
    insert.run(2, 8, null, 150, 300, 'active'); // not started at 120
    insert.run(3, 7, null, 100, 110, 'active'); // over at 120
    insert.run(4, 7, null, 100, 200, 'cancelled');
    insert.run(50, 9, 'X', 0, 1_000, 'active');
    const reads = new PoiReads(db);
    const expected = [{ connectorId: 1, partnerId: 7, evcoId: 'DE*ABC*C1', endsAt: 200 }, { connectorId: 50, partnerId: 9, evcoId: 'X', endsAt: 1_000 }];
    assert.deepEqual(byConnector(reads.activeReservations([1, 2, 3, 4, 50], 120)), expected);
    const many = Array.from({ length: 200 }, (_, i) => i + 1);
    assert.deepEqual(byConnector(reads.activeReservations(many, 120)), expected);
    assert.deepEqual(reads.activeReservations(many.filter((c) => c !== 1 && c !== 50), 120), []);
    // More active reservations than are read whole: probed per connector, same answer.
    for (let c = 1_000; c < 1_400; c++) insert.run(c, 7, null, 0, 1_000, 'active');
    assert.deepEqual(byConnector(reads.activeReservations(many, 120)), expected);
    assert.equal(reads.activeReservations([...many, 1_005, 1_399], 120).length, 4);
    db.close();
  });

  it('should answer nothing without a reservations table', () => {
    const db = new Database(':memory:');
    db.exec(POI_TABLES);
    assert.deepEqual(new PoiReads(db).activeReservations(Array.from({ length: 50 }, (_, i) => i), 1), []);
    db.close();
  });
});
