/**
 * PostgreSQL schema migrations: every module in ./migrations named `NNN-what.(ts|js)` exports
 * `sql`, numbered like SQLite's. Applied in number order, each once and in its own transaction,
 * recorded in `schema_migrations`. Several hubs may start at once on an empty database: a
 * session-level advisory lock lets one of them migrate while the others wait, then find nothing to do.
 */
import type pg from 'pg';
import { loadMigrations } from '../sqlite/migrate.js';

/** The advisory lock key of migrations (any constant shared by every oioi process). */
const MIGRATION_LOCK = 7_014_010_401;

/** Applies the migrations that have not run yet; returns their names. Example: `await runPgMigrations(pool)`. */
export async function runPgMigrations(pool: pg.Pool, dir = new URL('./migrations/', import.meta.url)): Promise<string[]> {
  const migrations = await loadMigrations(dir);
  const client = await pool.connect();
  const applied: string[] = [];
  let broken: Error | undefined;
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    try {
      await client.query('CREATE TABLE IF NOT EXISTS schema_migrations (id INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');
      const done = new Set((await client.query<{ id: number }>('SELECT id FROM schema_migrations')).rows.map((r) => Number(r.id)));
      for (const m of migrations) {
        if (done.has(m.id)) continue;
        await client.query('BEGIN');
        try {
          await client.query(m.sql);
          await client.query('INSERT INTO schema_migrations (id, name, applied_at) VALUES ($1, $2, $3)', [m.id, m.name, new Date().toISOString()]);
          await client.query('COMMIT');
        } catch (error) {
          await client.query('ROLLBACK').catch(() => {});
          throw new Error(`PostgreSQL migration ${m.name} failed: ${(error as Error).message}`);
        }
        applied.push(m.name);
      }
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch((e: Error) => (broken = e));
    }
  } finally {
    client.release(broken);
  }
  return applied;
}
