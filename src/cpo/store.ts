/**
 * The gateway's own SQLite database: transactions and meter readings, the whitelist and the
 * authorization cache, the last status sent per EVSE, stations last posted, reservations and the
 * outbox toward the hub. WAL with synchronous=FULL: a row written is on disk, so a restart loses
 * nothing. Statements run synchronously; a gateway's load (chargers, not roaming traffic) fits.
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

const schema = `
CREATE TABLE IF NOT EXISTS outbox (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  call TEXT NOT NULL,
  payload TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_at INTEGER NOT NULL DEFAULT 0,
  state TEXT NOT NULL DEFAULT 'pending',
  last_error TEXT
);
CREATE INDEX IF NOT EXISTS outbox_pending ON outbox (state, id);
CREATE TABLE IF NOT EXISTS transactions (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  session_id TEXT NOT NULL UNIQUE,
  charge_point TEXT NOT NULL,
  connector_id INTEGER NOT NULL,
  evse_id TEXT NOT NULL,
  id_tag TEXT NOT NULL,
  user_type TEXT NOT NULL,
  user_identifier TEXT NOT NULL,
  remote INTEGER NOT NULL DEFAULT 0,
  meter_start INTEGER NOT NULL,
  started_at INTEGER NOT NULL,
  meter_stop INTEGER,
  stopped_at INTEGER,
  stop_reason TEXT
);
CREATE INDEX IF NOT EXISTS transactions_open ON transactions (charge_point, connector_id) WHERE stopped_at IS NULL;
CREATE TABLE IF NOT EXISTS meter_readings (
  transaction_id INTEGER NOT NULL REFERENCES transactions (id),
  at INTEGER NOT NULL,
  wh REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS meter_readings_tx ON meter_readings (transaction_id);
CREATE TABLE IF NOT EXISTS whitelist (uid TEXT PRIMARY KEY);
CREATE TABLE IF NOT EXISTS auth_cache (uid TEXT PRIMARY KEY, evco_id TEXT, expires_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS evse_status (evse_key TEXT PRIMARY KEY, sent TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS posted_stations (station_id TEXT PRIMARY KEY, body TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS reservations (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  evse_id TEXT NOT NULL,
  charge_point TEXT NOT NULL,
  connector_id INTEGER NOT NULL,
  id_tag TEXT NOT NULL,
  identifiers TEXT NOT NULL,
  expires_at INTEGER NOT NULL,
  ended INTEGER NOT NULL DEFAULT 0
);
`;

export type Db = Database.Database;

/**
 * Opens (and creates) the gateway database from a `sqlite:` URL or a path.
 * Example: `const db = openCpoDb('sqlite:./data/oioi-cpo.db')`.
 */
export function openCpoDb(url: string): Db {
  if (/^postgres(ql)?:/.test(url)) throw new Error('oioi cpo keeps its state in SQLite; give --db sqlite:<path>');
  const path = url.replace(/^sqlite:/, '');
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  db.exec(schema);
  return db;
}

/** Reads a value of the `meta` table. Example: `meta(db, 'whitelist-version')`. */
export function getMeta(db: Db, key: string): string | undefined {
  return (db.prepare('SELECT value FROM meta WHERE key = ?').pluck().get(key) as string | undefined) ?? undefined;
}

/** Writes a value of the `meta` table. */
export function setMeta(db: Db, key: string, value: string): void {
  db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(key, value);
}
