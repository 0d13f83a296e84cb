/**
 * Reuse of slow-to-build SQLite databases between runs (the million stations of `surface`): a file
 * is kept under the temp folder, keyed by everything that shapes it (the migrations, the data
 * generator's sources, the size), and copied for each run so runs never see each other's writes.
 */
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ScenarioEnv } from './measure.js';
import { repoRoot } from './processes.js';

const CACHE_DIR = join(tmpdir(), 'oioi-bench-cache');
const SHAPERS = ['bench/seed.ts', 'bench/geo.ts', 'bench/bodies.ts', 'bench/random.ts', 'bench/cache.ts'];

/** A hash of the schema and the generator: a change to either makes a new file. */
function keyOf(name: string): string {
  const h = createHash('sha256').update(name);
  const migrations = join(repoRoot, 'src/storage/sqlite/migrations');
  for (const f of readdirSync(migrations).sort()) h.update(f).update(readFileSync(join(migrations, f)));
  for (const f of SHAPERS) h.update(f).update(readFileSync(join(repoRoot, f)));
  return `${name}-${h.digest('hex').slice(0, 16)}`;
}

/**
 * Fills the scenario's SQLite file with `build` or from the cache, and returns what `build`
 * returned (saved beside the file as JSON). PostgreSQL, or `--fresh`, always builds.
 * Example: `const { emp } = await cachedDatabase(env, 'surface-1000000', build)`.
 */
export async function cachedDatabase<T>(env: ScenarioEnv, name: string, build: () => Promise<T>): Promise<T> {
  const path = env.dbUrl.startsWith('sqlite:') ? env.dbUrl.slice('sqlite:'.length) : undefined;
  if (!path || !env.config.cache) return build();
  const key = keyOf(name);
  const file = join(CACHE_DIR, `${key}.db`);
  const meta = join(CACHE_DIR, `${key}.json`);
  if (existsSync(meta) && existsSync(file)) {
    env.log(`${name}: reusing ${file}`);
    copyFileSync(file, path);
    return JSON.parse(readFileSync(meta, 'utf8')) as T;
  }
  const value = await build();
  mkdirSync(CACHE_DIR, { recursive: true });
  // One file per name: older versions only take disk space.
  for (const f of readdirSync(CACHE_DIR)) if (f.startsWith(`${name}-`)) rmSync(join(CACHE_DIR, f), { force: true });
  copyFileSync(path, file);
  writeFileSync(meta, JSON.stringify(value)); // written last: it marks the file complete
  return value;
}
