/**
 * One SQL statement against a hub's database from a test, the same way on both engines: `?`
 * placeholders (turned into `$1…` for PostgreSQL), integers as numbers, and no transaction left
 * open, so tests never hold a lock the hub needs. SQLite opens a connection per call; PostgreSQL
 * reuses a small pool per database, since a new backend costs about 40 ms (its fork and catalog
 * caches) and some tests read the database a dozen times per case.
 * Example: `const [row] = await queryDatabase(hub.db, 'SELECT COUNT(*) AS n FROM cdrs')`.
 */
import Database from 'better-sqlite3';
import pg from 'pg';

/** PostgreSQL's int8 (COUNT, bigserial ids) as a JS number: test data stays far below 2^53. */
const INT8 = 20;
const NUMERIC = 1700;

const pools = new Map<string, pg.Pool>();

/** The pool for one database: idle clients never keep the test process alive. */
function poolOf(url: string): pg.Pool {
  let pool = pools.get(url);
  if (!pool) {
    pool = new pg.Pool({
      connectionString: url,
      max: 2,
      idleTimeoutMillis: 2000,
      allowExitOnIdle: true,
      types: { getTypeParser: ((oid: number, format?: any) => (oid === INT8 || oid === NUMERIC ? Number : pg.types.getTypeParser(oid, format))) as any },
    });
    // An idle client ends when its database is dropped (DROP DATABASE ... WITH (FORCE)); that is
    // expected, and the pool opens a new one if the URL is used again.
    pool.on('error', () => undefined);
    pools.set(url, pool);
  }
  return pool;
}

/** Runs `sql` with `params` on the database `url` names and returns its rows. */
export async function queryDatabase<T = any>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  if (/^postgres(ql)?:\/\//.test(url)) {
    let n = 0;
    const text = sql.replace(/\?/g, () => `$${++n}`);
    return (await poolOf(url).query(text, params)).rows as T[];
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
