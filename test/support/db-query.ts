/**
 * One SQL statement against a hub's database from a test, the same way on both engines: `?`
 * placeholders (turned into `$1…` for PostgreSQL), integers as numbers, a connection per call so
 * tests never hold a lock the hub needs.
 * Example: `const [row] = await queryDatabase(hub.db, 'SELECT COUNT(*) AS n FROM cdrs')`.
 */
import Database from 'better-sqlite3';
import pg from 'pg';

/** PostgreSQL's int8 (COUNT, bigserial ids) as a JS number: test data stays far below 2^53. */
const INT8 = 20;
const NUMERIC = 1700;

/** Runs `sql` with `params` on the database `url` names and returns its rows. */
export async function queryDatabase<T = any>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  if (/^postgres(ql)?:\/\//.test(url)) {
    const client = new pg.Client({
      connectionString: url,
      types: { getTypeParser: ((oid: number, format?: any) => (oid === INT8 || oid === NUMERIC ? Number : pg.types.getTypeParser(oid, format))) as any },
    });
    await client.connect();
    try {
      let n = 0;
      const text = sql.replace(/\?/g, () => `$${++n}`);
      return (await client.query(text, params)).rows as T[];
    } finally {
      await client.end();
    }
  }
  const conn = new Database(url.replace(/^sqlite:/, ''), { fileMustExist: true });
  try {
    conn.pragma('busy_timeout = 5000');
    const stmt = conn.prepare(sql);
    return (stmt.reader ? stmt.all(...params) : (stmt.run(...params), [])) as T[];
  } finally {
    conn.close();
  }
}
