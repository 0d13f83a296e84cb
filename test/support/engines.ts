/**
 * The storage engines test suites run on, and a fresh empty database on each.
 * Example:
 *   for (const engine of testEngines()) describe(`partners on ${engine}`, () => {
 *     let db: { url: string; drop(): Promise<void> };
 *     before(async () => { db = await freshDatabase(engine); });
 *     after(() => db.drop());
 *   });
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import pg from 'pg';
import { tempDir } from './cli.js';
import { testPostgresUrl } from './postgres.js';

export type Engine = 'sqlite' | 'postgres';

const ENGINES: readonly Engine[] = ['sqlite', 'postgres'];

/** Engines the suites run on: OIOI_TEST_ENGINES=sqlite,postgres (default both). */
export function testEngines(): Engine[] {
  const raw = process.env.OIOI_TEST_ENGINES?.trim();
  if (!raw) return [...ENGINES];
  const picked = raw.split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = picked.filter((e) => !ENGINES.includes(e as Engine));
  if (unknown.length) throw new Error(`OIOI_TEST_ENGINES names unknown engine(s) ${unknown.join(', ')}: use sqlite, postgres`);
  return [...new Set(picked)] as Engine[];
}

/** Runs one statement on the test server's `postgres` database. */
async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: await testPostgresUrl() });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** A new empty database: sqlite file in a temp dir, or CREATE DATABASE on the throw-away server. */
export async function freshDatabase(engine: Engine): Promise<{ url: string; drop(): Promise<void> }> {
  if (engine === 'sqlite') {
    const tmp = tempDir('oioi-db-');
    return { url: `sqlite:${join(tmp.dir, 'oioi.db')}`, drop: async () => tmp.remove() };
  }
  const name = `oioi_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  await admin(`CREATE DATABASE ${name}`);
  const base = new URL(await testPostgresUrl());
  base.pathname = `/${name}`;
  let dropped = false;
  return {
    url: base.toString(),
    drop: async () => {
      if (dropped) return;
      dropped = true;
      // FORCE: a hub the test killed may leave connections behind until the server notices.
      await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}
