/**
 * The SQLite side of `oioi migrate` (see ../copy.ts): lists the hub's tables, reads their rows,
 * writes rows in one transaction with the map's and surface's triggers set aside, and makes what
 * they keep at the end (sqlite/map-rebuild.ts).
 */
import Database from 'better-sqlite3';
import type { ColumnKind, DumpColumn, DumpConnection, DumpTable, DumpValue } from '../copy.js';
import { MAP_REBUILD_SQL, REBUILT_TABLES } from './map-rebuild.js';
import { USAGE_CHAIN_COLUMNS, USAGE_CHAIN_REBUILD_SQL } from './usage-chain.js';

/** Every table `finish` makes again from the copied rows: the map's and surface's, and the usage chains' heads. */
const REMADE_TABLES = [...REBUILT_TABLES, 'station_usage_heads'];

/** Tables the copier leaves alone: migration bookkeeping and SQLite's own. */
const SKIP = new Set(['schema_migrations', 'sqlite_sequence', 'sqlite_stat1', 'sqlite_stat4']);

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** A declared SQLite type to a column kind (SQLite's own affinity rules, simplified). */
function kindOf(declared: string): ColumnKind {
  const t = declared.toUpperCase();
  if (t.includes('INT')) return 'integer';
  if (t.includes('CHAR') || t.includes('TEXT') || t.includes('CLOB')) return 'text';
  if (t.includes('REAL') || t.includes('FLOA') || t.includes('DOUB')) return 'real';
  if (t.includes('BLOB')) return 'bytes';
  return 'other';
}

/** A neutral value as SQLite stores it in a column of `kind`. */
function toSqlite(v: DumpValue, kind: ColumnKind): unknown {
  if (v === null || v === undefined) return null;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (v instanceof Date) return kind === 'integer' || kind === 'real' ? v.getTime() : v.toISOString();
  if (Buffer.isBuffer(v)) return v;
  if (kind === 'integer' || kind === 'real') {
    if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
    return v;
  }
  if (kind === 'text' && typeof v === 'number') return String(v);
  return v;
}

/**
 * Opens a SQLite database for copying. Example: `const side = await openSqliteDump('sqlite:./data/oioi.db')`.
 */
export async function openSqliteDump(url: string): Promise<DumpConnection> {
  const db = new Database(url.replace(/^sqlite:(\/\/)?/, ''));
  db.pragma('busy_timeout = 5000');
  db.pragma('foreign_keys = ON');

  /** Tables that triggers write into (the dashboard's map summaries): read from the trigger bodies. */
  function triggerWritten(): Set<string> {
    const out = new Set<string>();
    for (const sql of db.prepare("SELECT sql FROM sqlite_master WHERE type = 'trigger'").pluck().all() as string[]) {
      const body = sql.slice(sql.search(/\bBEGIN\b/i));
      // (An upsert's `DO UPDATE SET` names no table.)
      for (const m of body.matchAll(/\b(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|(?<!\bDO\s+)UPDATE(?:\s+OR\s+\w+)?|DELETE\s+FROM)\s+["`[]?(\w+)/gi)) out.add(m[1]!);
    }
    return out;
  }

  /** The triggers `begin` dropped, to be created again by `finish`. */
  let dropped: Array<{ name: string; sql: string }> = [];

  async function tables(): Promise<DumpTable[]> {
    const derived = triggerWritten();
    const list = (db.pragma('table_list') as Array<{ schema: string; name: string; type: string }>)
      .filter((t) => t.schema === 'main' && t.type === 'table' && !SKIP.has(t.name) && !t.name.startsWith('sqlite_'));
    return list.map((t) => ({
      name: t.name,
      columns: (db.pragma(`table_xinfo(${quote(t.name)})`) as Array<{ name: string; type: string; hidden: number }>)
        // Generated columns are computed by the target itself, the usage chains' pointers made again by `finish`.
        .filter((c) => c.hidden === 0 && !USAGE_CHAIN_COLUMNS[t.name]?.includes(c.name))
        .map((c) => ({ name: c.name, kind: kindOf(c.type) })),
      references: [...new Set((db.pragma(`foreign_key_list(${quote(t.name)})`) as Array<{ table: string }>).map((f) => f.table))],
      derived: derived.has(t.name),
    }));
  }

  return {
    engine: 'sqlite',
    tables,
    count: async (table) => db.prepare(`SELECT COUNT(*) FROM ${quote(table)}`).pluck().get() as number,
    async snapshot() {
      // A read transaction in WAL mode sees one moment until it ends (close() or the next snapshot ends it).
      if (db.inTransaction) db.exec('COMMIT');
      db.exec('BEGIN');
      db.prepare('SELECT COUNT(*) FROM sqlite_master').get();
    },
    async *rows(table, columns, size) {
      const stmt = db.prepare(`SELECT ${columns.map((c) => quote(c.name)).join(', ')} FROM ${quote(table)}`).raw();
      let batch: DumpValue[][] = [];
      // The iterator streams, and batches are handed on as they fill, so memory stays flat.
      for (const row of stmt.iterate() as Iterable<DumpValue[]>) {
        batch.push(row.map((v) => (typeof v === 'bigint' ? Number(v) : v)));
        if (batch.length >= size) {
          yield batch;
          batch = [];
        }
      }
      if (batch.length) yield batch;
    },
    async begin() {
      db.exec('BEGIN IMMEDIATE');
      // The triggers that keep the map and the surface rows go for the copy's transaction (SQLite's
      // DDL is transactional: a copy that fails or dies leaves them as they were); `finish` makes
      // those tables at once and puts the triggers back, as they were written.
      const unknown = [...triggerWritten()].filter((t) => !REMADE_TABLES.includes(t));
      if (unknown.length) throw new Error(`a copy into SQLite cannot rebuild table ${unknown.join(', ')}, which triggers write`);
      dropped = db.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'").all() as Array<{ name: string; sql: string }>;
      for (const t of dropped) db.exec(`DROP TRIGGER ${quote(t.name)}`);
    },
    async clear(names) {
      for (const name of names) db.exec(`DELETE FROM ${quote(name)}`);
    },
    async insert(table, columns: DumpColumn[], rows) {
      // Derived tables never come here (copyStorage leaves them to `finish`).
      const stmt = db.prepare(`INSERT OR REPLACE INTO ${quote(table)} (${columns.map((c) => quote(c.name)).join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`);
      for (const row of rows) stmt.run(...row.map((v, i) => toSqlite(v, columns[i]!.kind)));
    },
    async finish() {
      db.exec(MAP_REBUILD_SQL);
      db.exec(USAGE_CHAIN_REBUILD_SQL);
      for (const t of dropped) db.exec(t.sql);
      dropped = [];
    },
    async commit() {
      db.exec('COMMIT');
    },
    async rollback() {
      if (db.inTransaction) db.exec('ROLLBACK');
    },
    async close() {
      if (db.inTransaction) db.exec('ROLLBACK');
      db.close();
    },
  };
}
