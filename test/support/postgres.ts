/**
 * A throw-away PostgreSQL 15 cluster for tests: `initdb` into a temporary folder as the
 * `postgres` user (the server refuses to run as root), trust authentication on 127.0.0.1 only,
 * a free port, fsync left on (durability tests kill hubs and expect committed rows to survive).
 *
 * `scripts/test.mjs` starts one cluster for the whole run and passes its URL in
 * OIOI_TEST_PG_URL; a test file run on its own starts a cluster for its process and stops it at
 * exit. When no cluster can start this throws and says why: suites never skip PostgreSQL silently.
 * Example: `const url = await testPostgresUrl(); // postgres://postgres@127.0.0.1:41234/postgres`
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';

/** A running cluster: `url` names its `postgres` database as the superuser. */
export interface PostgresCluster {
  url: string;
  dir: string;
  /** Stops the server and removes its folder; safe to call twice. */
  stop(): void;
}

/** Where the binaries are looked for: OIOI_PG_BIN alone when it is set (a choice, not a hint), else the usual places. */
const binDirs = (): string[] =>
  process.env.OIOI_PG_BIN ? [process.env.OIOI_PG_BIN] : ['/usr/local/bin', '/usr/lib/postgresql/15/bin', '/usr/lib/postgresql/16/bin', '/usr/lib/postgresql/17/bin'];

/** Why a cluster could not start; the message says what to do, so callers may print it alone. */
export class PostgresUnavailableError extends Error {}

/** The folder holding both `initdb` and `pg_ctl`, or a clear error. */
function binDir(): string {
  const dirs = binDirs();
  const dir = dirs.find((d) => existsSync(join(d, 'initdb')) && existsSync(join(d, 'pg_ctl')));
  if (!dir) throw new PostgresUnavailableError(`PostgreSQL test server cannot start: initdb and pg_ctl not found in ${dirs.join(', ')} (install postgresql-15 or set OIOI_PG_BIN)`);
  return dir;
}

/** A port nobody listens on right now (the server binds it a moment later; a clash is retried). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

/** Runs a PostgreSQL binary as the `postgres` user when we are root, as ourselves otherwise. */
function asServerUser(bin: string, args: string[]): { status: number | null; output: string } {
  const root = process.getuid?.() === 0;
  const [cmd, argv] = root ? ['runuser', ['-u', 'postgres', '--', bin, ...args]] : [bin, args];
  const r = spawnSync(cmd, argv, { encoding: 'utf8', timeout: 60_000 });
  if (r.error) return { status: null, output: String(r.error.message) };
  return { status: r.status, output: `${r.stdout ?? ''}${r.stderr ?? ''}` };
}

/**
 * Creates and starts a new cluster. Example: `const pg = await startPostgresCluster(); …; pg.stop()`.
 */
export async function startPostgresCluster(): Promise<PostgresCluster> {
  const bin = binDir();
  const root = process.getuid?.() === 0;
  const dir = mkdtempSync(join(tmpdir(), 'oioi-pg-'));
  if (root) {
    try {
      const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
      const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
      chownSync(dir, uid, gid);
    } catch (e) {
      rmSync(dir, { recursive: true, force: true });
      throw new PostgresUnavailableError(`PostgreSQL test server cannot start: running as root and there is no usable 'postgres' user (${(e as Error).message.trim()})`);
    }
  }
  const data = join(dir, 'data');
  const user = root ? 'postgres' : userInfo().username;
  // --no-sync only skips flushing the freshly made template files; the server itself keeps fsync on.
  const init = asServerUser(join(bin, 'initdb'), ['-D', data, '-U', user, '--auth=trust', '-E', 'UTF8', '--locale=C', '--no-sync']);
  if (init.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new PostgresUnavailableError(`PostgreSQL test server cannot start: initdb failed: ${init.output.trim().split('\n').slice(-3).join(' | ')}`);
  }
  let stopped = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    asServerUser(join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop']);
    try {
      // Retries: the server's last child processes may still be leaving files behind for a moment.
      rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
    } catch (e) {
      process.stderr.write(`warning: could not remove the test PostgreSQL folder ${dir}: ${(e as Error).message}\n`);
    }
  };
  let lastError = '';
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    // Small memory, many connections: several hubs with their pools share one test server.
    const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c max_connections=300 -c shared_buffers=32MB -c fsync=on -c synchronous_commit=on`;
    const r = asServerUser(join(bin, 'pg_ctl'), ['-D', data, '-l', join(dir, 'server.log'), '-o', options, '-w', '-t', '60', 'start']);
    if (r.status === 0) return { url: `postgres://${user}@127.0.0.1:${port}/postgres`, dir, stop };
    let log = '';
    try {
      log = readFileSync(join(dir, 'server.log'), 'utf8').trim().split('\n').slice(-3).join(' | ');
    } catch {
      // no log written: pg_ctl's own output says why
    }
    lastError = `${r.output.trim()} ${log}`.trim();
    asServerUser(join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop']);
  }
  rmSync(dir, { recursive: true, force: true });
  throw new PostgresUnavailableError(`PostgreSQL test server cannot start: pg_ctl start failed: ${lastError}`);
}

let own: Promise<string> | undefined;

/**
 * The URL of the test server's `postgres` database: OIOI_TEST_PG_URL when the test script set it,
 * else a cluster this process starts once and stops when it exits.
 * Example: `const admin = await testPostgresUrl()`.
 */
export function testPostgresUrl(): Promise<string> {
  const given = process.env.OIOI_TEST_PG_URL;
  if (given) return Promise.resolve(given);
  own ??= startPostgresCluster().then((cluster) => {
    process.once('exit', () => cluster.stop());
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      process.once(signal, () => {
        cluster.stop();
        process.exit(130);
      });
    }
    return cluster.url;
  });
  return own;
}
