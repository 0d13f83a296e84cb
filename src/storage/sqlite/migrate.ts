/**
 * Schema migrations: every module in ./migrations named `NNN-what.(ts|js)` exports `sql`.
 * Applied in number order, each once, recorded in `schema_migrations`. Slices of the hub add
 * their own files, so no shared list has to be edited.
 */
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type Database from 'better-sqlite3';

/** The migrations found beside this file, sorted by number. */
export async function loadMigrations(dir = new URL('./migrations/', import.meta.url)): Promise<Array<{ id: number; name: string; sql: string }>> {
  const files = readdirSync(fileURLToPath(dir)).filter((f) => /^[0-9]{3}-.*\.(ts|js)$/.test(f) && !f.endsWith('.d.ts') && !f.includes('.test.'));
  const out: Array<{ id: number; name: string; sql: string }> = [];
  for (const file of files) {
    const mod = (await import(new URL(file, dir).href)) as { sql: string };
    out.push({ id: Number(file.slice(0, 3)), name: file.replace(/\.(ts|js)$/, ''), sql: mod.sql });
  }
  out.sort((a, b) => a.id - b.id);
  const dup = out.find((m, i) => i > 0 && out[i - 1]!.id === m.id);
  if (dup) throw new Error(`two migrations share number ${dup.id}`);
  return out;
}

/** Applies the migrations that have not run yet, each in its own transaction. */
export async function runMigrations(db: Database.Database): Promise<string[]> {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (id INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');
  const done = new Set((db.prepare('SELECT id FROM schema_migrations').all() as Array<{ id: number }>).map((r) => r.id));
  const applied: string[] = [];
  for (const m of await loadMigrations()) {
    if (done.has(m.id)) continue;
    db.transaction(() => {
      // another process may have applied it since we looked (two hubs starting at once)
      if (db.prepare('SELECT 1 FROM schema_migrations WHERE id = ?').get(m.id)) return;
      db.exec(m.sql);
      db.prepare('INSERT INTO schema_migrations (id, name, applied_at) VALUES (?, ?, ?)').run(m.id, m.name, new Date().toISOString());
      applied.push(m.name);
    }).immediate();
  }
  return applied;
}
