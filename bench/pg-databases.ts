/**
 * One PostgreSQL database per scenario, as SQLite gets one file per scenario: the scenarios load
 * different data (status 50k stations, station 100k new ones, surface a million), and on one
 * shared database each scenario's hub also carried the earlier ones' rows (the surface hub indexed
 * 1.2M stations instead of 1M, the memory figure counted them). The databases are created next to
 * the one `--db` names and dropped after their scenario. A role that may not create databases
 * gets the shared database, empty at the start, and a warning.
 */
import pg from 'pg';

/** Where each scenario's hub stores its data. */
export interface ScenarioDatabases {
  /** The URL for scenario `name` (a fresh database, or the shared one). */
  open(name: string): Promise<string>;
  /** Drops the database `open(name)` made; a no-op for the shared one. */
  release(name: string): Promise<void>;
  /** Drops every database still made (an interrupted run). */
  releaseAll(): Promise<void>;
  /** True when the role could not create databases and every scenario uses `--db` itself. */
  readonly shared: boolean;
}

/**
 * Example: `const dbs = await scenarioDatabases(url, 'K2QX', log); const u = await dbs.open('status'); …; await dbs.release('status')`.
 */
export async function scenarioDatabases(url: string, run: string, log: (m: string) => void): Promise<ScenarioDatabases> {
  const made = new Map<string, string>();
  const nameOf = (scenario: string) => `oioi_bench_${run.toLowerCase()}_${scenario}`;
  const shared = !(await mayCreateDatabases(url));
  if (shared) {
    log('--db: this role may not create databases, so every scenario runs on the one --db names (each hub then also holds the rows of the scenarios before it)');
    await assertEmptyDatabase(url);
  }
  const databases: ScenarioDatabases = {
    shared,
    async open(scenario) {
      if (shared) return url;
      const name = nameOf(scenario);
      await queryOnce(url, `CREATE DATABASE ${name}`);
      log(`database ${name} for ${scenario}, dropped after it`);
      const u = new URL(url);
      u.pathname = `/${name}`;
      made.set(scenario, name);
      return u.toString();
    },
    async release(scenario) {
      const name = made.get(scenario);
      if (!name) return;
      made.delete(scenario);
      // FORCE: a hub killed at the end of its scenario may leave connections until the server notices.
      await queryOnce(url, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
    async releaseAll() {
      for (const scenario of [...made.keys()]) await databases.release(scenario);
    },
  };
  return databases;
}

/**
 * The rows of one statement on its own connection. Example: `await queryOnce(url, 'SELECT 1 AS one')`.
 */
async function queryOnce<T extends pg.QueryResultRow = pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

async function mayCreateDatabases(url: string): Promise<boolean> {
  const rows = await queryOnce<{ ok: boolean }>(url, 'SELECT rolcreatedb OR rolsuper AS ok FROM pg_roles WHERE rolname = current_user');
  return rows[0]?.ok === true;
}

/**
 * Refuses a shared database that already holds stations: each run loads its own, and a second
 * run on the same database would measure both runs' stations (a million became two, once).
 */
async function assertEmptyDatabase(url: string): Promise<void> {
  // Two statements: PostgreSQL resolves every table a statement names before it runs, so a count
  // behind a CASE still fails on a database never migrated ("relation stations does not exist").
  const [exists] = await queryOnce<{ t: string | null }>(url, "SELECT to_regclass('stations')::text AS t");
  if (!exists?.t) return;
  const [count] = await queryOnce<{ n: string }>(url, 'SELECT count(*) AS n FROM stations');
  const n = Number(count?.n ?? 0);
  if (n > 0) throw new Error(`--db: the database already holds ${n} station${n === 1 ? '' : 's'}; give the bench an empty database (CREATE DATABASE …) for each run`);
}
