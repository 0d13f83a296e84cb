/**
 * Copies every table of a hub from one storage to another (`oioi migrate`): SQLite to PostgreSQL
 * and back. Both engines keep the same table and column names, so the copier needs no list of
 * tables: it reads them from the source, inserts in foreign-key order in batches inside one target
 * transaction (a failed copy leaves the target as it was), and lets each engine rebuild what it
 * derives (PostgreSQL sequences) afterwards.
 */
import { existsSync } from 'node:fs';
import { openStorage } from './index.js';

/** How a column's values are kept, as far as copying cares. */
export type ColumnKind = 'integer' | 'real' | 'text' | 'boolean' | 'json' | 'timestamp' | 'bytes' | 'other';

export interface DumpColumn {
  name: string;
  kind: ColumnKind;
}

export interface DumpTable {
  name: string;
  columns: DumpColumn[];
  /** Tables this one has foreign keys to. */
  references: string[];
  /**
   * Kept by the engine itself from other tables (the map's summaries): a target without it loses
   * nothing, and a target makes its own from the copied rows (its triggers, or `finish`) rather
   * than taking the source's.
   */
  derived?: boolean;
}

/**
 * Rows travel between engines in a neutral form: null, number, string (JSON columns as JSON
 * text), boolean, Date or Buffer. Each engine's writer turns them into its own column kinds.
 */
export type DumpValue = null | number | string | boolean | Date | Buffer;

/** One engine's side of a copy: its tables, their rows, and how to write them. */
export interface DumpConnection {
  readonly engine: 'sqlite' | 'postgres';
  /** The hub's data tables (schema bookkeeping and derived tables left out). */
  tables(): Promise<DumpTable[]>;
  count(table: string): Promise<number>;
  /** Starts reading as a source: every later `rows` sees the same moment of the database (until the next snapshot or close). */
  snapshot(): Promise<void>;
  /** Every row of `table`, `columns` in that order, `size` rows at a time (inside `snapshot`). */
  rows(table: string, columns: DumpColumn[], size: number): AsyncIterable<DumpValue[][]>;
  begin(): Promise<void>;
  /** Empties tables, given children first. */
  clear(tables: string[]): Promise<void>;
  /** Inserts rows into a table that is not `derived` (those are the target's to fill). */
  insert(table: string, columns: DumpColumn[], rows: DumpValue[][]): Promise<void>;
  /** Rebuilds what the engine derives from copied rows (sequences, derived tables). */
  finish(tables: DumpTable[]): Promise<void>;
  commit(): Promise<void>;
  rollback(): Promise<void>;
  close(): Promise<void>;
}

/** A copy that must not run: the CLI turns it into exit code 2. */
export class CopyRefused extends Error {
  override name = 'CopyRefused';
}

export interface CopyOptions {
  /** Replace the target's data when it already holds some. */
  force?: boolean;
  /** Rows per read and per insert statement (PostgreSQL caps parameters at 65535 per statement). */
  batchSize?: number;
  /** Told each table's count as soon as it is copied. */
  onTable?: (table: string, rows: number) => void;
}

/** What a copy did: rows per table, in the order copied. */
export type CopyReport = Array<{ table: string; rows: number }>;

/** Checks a storage URL's form. Example: `storageEngineOf('sqlite:./data/oioi.db') === 'sqlite'`. */
export function storageEngineOf(url: string): 'sqlite' | 'postgres' {
  if (/^sqlite:/.test(url)) return 'sqlite';
  if (/^postgres(ql)?:\/\//.test(url)) {
    try {
      if (new URL(url).pathname.length <= 1) throw new Error('no database name');
    } catch {
      throw new CopyRefused(`'${redact(url)}' is not a valid postgres:// URL (postgres://user:pass@host:port/db)`);
    }
    return 'postgres';
  }
  throw new CopyRefused(`unknown storage URL '${redact(url)}': use sqlite:<path> or postgres://user:pass@host:port/db`);
}

/** A URL with its password hidden, for messages. Example: `redact('postgres://u:secret@h/db') === 'postgres://u:***@h/db'`. */
export function redact(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@]*:)[^@]*@/i, '$1***@');
}

/**
 * Opens one side of a copy, creating or upgrading the hub schema first (a source must already exist).
 * Example: `const c = await openDump('postgres://hub@db/oioi', { mustExist: false })`.
 */
export async function openDump(url: string, { mustExist }: { mustExist: boolean }): Promise<DumpConnection> {
  const engine = storageEngineOf(url);
  if (engine === 'sqlite') {
    const path = url.replace(/^sqlite:(\/\/)?/, '');
    if (mustExist && (path === '' || path === ':memory:' || !existsSync(path))) throw new CopyRefused(`source database ${url} does not exist`);
  }
  // Opening the storage once runs the hub's migrations, so both sides have the same, current tables.
  await (await openStorage(url)).close();
  if (engine === 'sqlite') return (await import('./sqlite/dump.js')).openSqliteDump(url);
  return (await import('./postgres/dump.js')).openPostgresDump(url);
}

/** Orders tables so that each comes after the tables it references. */
export function dependencyOrder(tables: DumpTable[]): DumpTable[] {
  const byName = new Map(tables.map((t) => [t.name, t]));
  const out: DumpTable[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (t: DumpTable) => {
    if (state.get(t.name) === 'done') return;
    if (state.get(t.name) === 'visiting') throw new Error(`foreign keys form a cycle through table ${t.name}`);
    state.set(t.name, 'visiting');
    for (const r of t.references) {
      const parent = byName.get(r);
      if (parent && parent !== t) visit(parent);
    }
    state.set(t.name, 'done');
    out.push(t);
  };
  for (const t of [...tables].sort((a, b) => a.name.localeCompare(b.name))) visit(t);
  return out;
}

/**
 * Copies every table of `from` into `to`. Refuses (CopyRefused) when `to` already holds data,
 * unless `force`, which empties it first.
 * Example: `const report = await copyStorage(sqliteSide, postgresSide, { batchSize: 1000 })`.
 */
export async function copyStorage(from: DumpConnection, to: DumpConnection, { force = false, batchSize = 1000, onTable }: CopyOptions = {}): Promise<CopyReport> {
  const source = await from.tables();
  const target = new Map((await to.tables()).map((t) => [t.name, t]));
  // A table the target lacks is fine while it is empty (nothing is lost); with rows it is not.
  const missing: string[] = [];
  for (const t of source) if (!target.has(t.name) && !t.derived && (await from.count(t.name)) > 0) missing.push(t.name);
  if (missing.length) throw new CopyRefused(`the target has no table ${missing.join(', ')} and the source holds rows there: is the target a hub of the same version?`);
  const order = dependencyOrder([...target.values()]);
  const sourceByName = new Map(source.map((t) => [t.name, t]));
  const filled: string[] = [];
  for (const t of order) if ((await to.count(t.name)) > 0) filled.push(t.name);
  if (filled.length && !force) throw new CopyRefused(`the target already holds data (${filled.join(', ')}): copy into an empty database, or pass --force to replace it`);

  const report: CopyReport = [];
  // Tables read at one moment, so a hub still writing to the source cannot split a change in two.
  await from.snapshot();
  await to.begin();
  try {
    if (filled.length) {
      // Twice: deleting a table's rows can make triggers write into a summary table emptied before.
      const children = [...order].reverse().map((t) => t.name);
      await to.clear(children);
      await to.clear(children);
    }
    for (const t of order) {
      // Summaries come from the copied rows, not from the source's: they are the target's own,
      // and the source's may still wait on marks of its own (migration 820).
      if (t.derived) continue;
      const src = sourceByName.get(t.name);
      if (!src) {
        report.push({ table: t.name, rows: 0 });
        continue;
      }
      const names = new Set(src.columns.map((c) => c.name));
      const lost = src.columns.filter((c) => !t.columns.some((x) => x.name === c.name)).map((c) => c.name);
      if (lost.length) throw new CopyRefused(`the target's table ${t.name} has no column ${lost.join(', ')}: is it a hub of the same version?`);
      const targetColumns = t.columns.filter((c) => names.has(c.name));
      const sourceColumns = targetColumns.map((c) => src.columns.find((x) => x.name === c.name)!);
      let rows = 0;
      for await (const batch of from.rows(t.name, sourceColumns, batchSize)) {
        await to.insert(t.name, targetColumns, batch);
        rows += batch.length;
      }
      report.push({ table: t.name, rows });
      onTable?.(t.name, rows);
    }
    await to.finish(order);
    await to.commit();
  } catch (err) {
    await to.rollback().catch(() => undefined);
    throw err;
  }
  return report;
}

/** Turns a JSON column's value into JSON text (readers give parsed values or text). */
export function jsonText(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}
