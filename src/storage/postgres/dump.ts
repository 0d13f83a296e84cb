/**
 * The PostgreSQL side of `oioi migrate` (see ../copy.ts): lists the hub's tables from the
 * catalog, reads rows through a cursor in one consistent snapshot, inserts them in multi-row
 * statements inside one transaction, and afterwards rebuilds the map's summaries from the copied
 * rows (migration 910) and moves every id sequence past the copied ids.
 */
import pg from 'pg';
import type { ColumnKind, DumpColumn, DumpConnection, DumpTable, DumpValue } from '../copy.js';
import { jsonText } from '../copy.js';

/** Migration bookkeeping and the partner-change counter belong to this database, not to the hub's data. */
const SKIP = new Set(['schema_migrations', 'oioi_changes', 'surface_log_epoch']);

/** The map's summaries, which a copy into PostgreSQL computes once from the copied rows (migration 910). */
const DERIVED = new Set(['map_stations', 'map_cells', 'map_dirty', 'surface_log']);

/** PostgreSQL allows at most 65535 parameters in one statement. */
const MAX_PARAMS = 65_535;

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** int8 and numeric as numbers, json as its text: what the other engine stores. */
const types = {
  getTypeParser: ((oid: number, format?: string) => {
    if (oid === 20 || oid === 1700) return (v: string) => Number(v);
    if (oid === 114 || oid === 3802) return (v: string) => v;
    return pg.types.getTypeParser(oid, format as 'text');
  }) as typeof pg.types.getTypeParser,
};

function kindOf(dataType: string): ColumnKind {
  if (['smallint', 'integer', 'bigint'].includes(dataType)) return 'integer';
  if (['real', 'double precision', 'numeric'].includes(dataType)) return 'real';
  if (['text', 'character varying', 'character'].includes(dataType)) return 'text';
  if (dataType === 'boolean') return 'boolean';
  if (dataType === 'json' || dataType === 'jsonb') return 'json';
  if (dataType.startsWith('timestamp') || dataType === 'date') return 'timestamp';
  if (dataType === 'bytea') return 'bytes';
  return 'other';
}

/** A neutral value as a parameter for a column of `kind`. */
function toPg(v: DumpValue, kind: ColumnKind): unknown {
  if (v === null || v === undefined) return null;
  switch (kind) {
    case 'integer':
    case 'real':
      if (typeof v === 'boolean') return v ? 1 : 0;
      if (v instanceof Date) return v.getTime();
      return v;
    case 'boolean':
      if (typeof v === 'number') return v !== 0;
      if (typeof v === 'string') return ['1', 't', 'true', 'yes'].includes(v.toLowerCase());
      return v;
    case 'json':
      return jsonText(v);
    case 'timestamp':
      return typeof v === 'number' ? new Date(v) : v;
    case 'text':
      if (v instanceof Date) return v.toISOString();
      return typeof v === 'string' || Buffer.isBuffer(v) ? v : String(v);
    default:
      return v;
  }
}

interface ColumnRow { table_name: string; column_name: string; data_type: string; is_generated: string; identity_generation: string | null; column_default: string | null }

/**
 * Opens a PostgreSQL database for copying. Example: `const side = await openPostgresDump('postgres://hub@db/oioi')`.
 */
export async function openPostgresDump(url: string): Promise<DumpConnection> {
  const client = new pg.Client({ connectionString: url, types, application_name: 'oioi migrate' } as pg.ClientConfig);
  client.on('error', () => {});
  await client.connect();
  let columnRows: ColumnRow[] | undefined;
  let reading = false;

  async function columns(): Promise<ColumnRow[]> {
    columnRows ??= (await client.query<ColumnRow>(
      `SELECT c.table_name, c.column_name, c.data_type, c.is_generated, c.identity_generation, c.column_default
       FROM information_schema.columns c JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
       WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE' ORDER BY c.table_name, c.ordinal_position`,
    )).rows;
    return columnRows;
  }

  async function tables(): Promise<DumpTable[]> {
    const cols = (await columns()).filter((c) => !SKIP.has(c.table_name));
    const refs = (await client.query<{ child: string; parent: string }>(
      `SELECT cl.relname AS child, pl.relname AS parent FROM pg_constraint k
       JOIN pg_class cl ON cl.oid = k.conrelid JOIN pg_class pl ON pl.oid = k.confrelid
       JOIN pg_namespace n ON n.oid = cl.relnamespace
       WHERE k.contype = 'f' AND n.nspname = current_schema()`,
    )).rows;
    const names = [...new Set(cols.map((c) => c.table_name))];
    return names.map((name) => ({
      name,
      // Generated columns (stations.location) are computed by the database from the copied ones.
      columns: cols.filter((c) => c.table_name === name && c.is_generated !== 'ALWAYS').map((c) => ({ name: c.column_name, kind: kindOf(c.data_type) })),
      references: [...new Set(refs.filter((r) => r.child === name).map((r) => r.parent))],
      derived: DERIVED.has(name),
    }));
  }

  return {
    engine: 'postgres',
    tables,
    count: async (table) => Number((await client.query(`SELECT COUNT(*) AS n FROM ${quote(table)}`)).rows[0].n),
    async snapshot() {
      if (reading) await client.query('COMMIT');
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      reading = true;
    },
    async *rows(table, cols, size) {
      if (!reading) throw new Error('rows() reads inside snapshot()');
      await client.query(`DECLARE oioi_dump NO SCROLL CURSOR FOR SELECT ${cols.map((c) => quote(c.name)).join(', ')} FROM ${quote(table)}`);
      try {
        for (;;) {
          const r = await client.query({ text: `FETCH ${size} FROM oioi_dump`, rowMode: 'array' });
          if (r.rows.length === 0) break;
          yield r.rows as DumpValue[][];
        }
      } finally {
        await client.query('CLOSE oioi_dump');
      }
    },
    async begin() {
      await client.query('BEGIN');
      // The map's triggers stand aside for this transaction: kept row by row, a copy's upserts of
      // the same cells slowed every later row (migration 910). `finish` rebuilds the map instead.
      await client.query("SET LOCAL oioi.copying = 'on'");
    },
    async clear(names) {
      if (names.length) await client.query(`TRUNCATE ${names.map(quote).join(', ')}`);
    },
    async insert(table, cols: DumpColumn[], rows) {
      const info = (await columns()).filter((c) => c.table_name === table);
      const overriding = info.some((c) => c.identity_generation === 'ALWAYS') ? ' OVERRIDING SYSTEM VALUE' : '';
      const perStatement = Math.max(1, Math.floor(MAX_PARAMS / cols.length));
      for (let i = 0; i < rows.length; i += perStatement) {
        const chunk = rows.slice(i, i + perStatement);
        const params: unknown[] = [];
        const values = chunk.map((row) => `(${row.map((v, j) => `$${params.push(toPg(v, cols[j]!.kind))}`).join(', ')})`);
        await client.query(`INSERT INTO ${quote(table)} (${cols.map((c) => quote(c.name)).join(', ')})${overriding} VALUES ${values.join(', ')} ON CONFLICT DO NOTHING`, params);
      }
    },
    async finish(copied) {
      await client.query('SELECT oioi_map_rebuild()');
      // Ids were copied as they were: each sequence must hand out the next id after the largest one.
      const names = new Set(copied.map((t) => t.name));
      for (const c of await columns()) {
        if (!names.has(c.table_name)) continue;
        if (!c.identity_generation && !c.column_default?.startsWith('nextval(')) continue;
        const t = quote(c.table_name);
        const col = quote(c.column_name);
        await client.query(
          `SELECT setval(pg_get_serial_sequence($1, $2), COALESCE((SELECT MAX(${col}) FROM ${t}), 1), (SELECT MAX(${col}) FROM ${t}) IS NOT NULL)`,
          [c.table_name, c.column_name],
        );
      }
    },
    async commit() {
      await client.query('COMMIT');
      // A target commits once, at the end of a copy. Statistics now, as after any bulk load, for
      // the copied tables and those their triggers filled: a hub started on the copy would
      // otherwise plan on tables never analyzed until autovacuum comes by (a minute or more), and
      // such plans scan every row (station-post read every live station to find other owners'
      // EVSE IDs, a CDR every open outbox row).
      await client.query('ANALYZE');
    },
    async rollback() {
      await client.query('ROLLBACK');
    },
    async close() {
      if (reading) await client.query('COMMIT').catch(() => undefined);
      await client.end();
    },
  };
}
