/**
 * A real `oioi hub` process on port 0, for end-to-end tests, on either storage engine: its own
 * SQLite file, its own fresh PostgreSQL database, or a database another hub already uses.
 * Example:
 *   const hub = await startHubProcess({ engine: 'postgres' });
 *   const cpo = await hub.addPartner({ name: 'CPO', roles: 'cpo' });
 *   const res = await send(hub.url, cpo.apiKey, { 'station-post': {...} });
 *   await hub.stop(); await hub.cleanup();
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { oioiArgv, oioiJson, repoRoot } from './cli.js';
import { freshDatabase, type Engine } from './engines.js';
import { queryDatabase } from './db-query.js';

export interface TestPartner { id: number; name: string; roles: string[]; partnerIdentifier: string; apiKey: string }

export interface HubProcess {
  url: string;
  /** The storage URL the hub runs on (`sqlite:<path>` or `postgres://…`). */
  db: string;
  engine: Engine;
  child: ChildProcess;
  /** Adds a partner through `oioi partner add --json`. Flags as in shared/cli.md, without dashes. */
  addPartner(opts: { name: string; roles: string; endpoint?: string; endpointKey?: string; rfidAuth?: string; evcoPrefix?: string; extra?: string[] }): Promise<TestPartner>;
  /** Runs any `oioi` command against this hub's database (`--db` added). */
  cli(args: string[]): Promise<any>;
  /**
   * Runs one SQL statement on the hub's database from the test (a separate connection), with `?`
   * placeholders on both engines; integers come back as numbers.
   * Example: `await hub.query('SELECT id FROM connectors WHERE evse_key = ?', ['DE8PSE1'])`.
   */
  query<T = any>(sql: string, params?: unknown[]): Promise<T[]>;
  /** SIGTERM and wait (clean stop; SIGKILL when it takes over 10 s). */
  stop(): Promise<void>;
  /** SIGKILL and wait (crash). */
  kill(): Promise<void>;
  /** Starts a new hub process on the same database (after stop/kill), same port if possible. */
  restart(): Promise<void>;
  /** Removes the temporary folder or drops the fresh database this hub made (after stop); a shared `db` is left alone. */
  cleanup(): Promise<void>;
}

export interface HubProcessOptions {
  args?: string[];
  env?: NodeJS.ProcessEnv;
  /** Which storage engine to start on (default sqlite). */
  engine?: Engine;
  /** An existing storage URL, so two hubs can share one database; its owner cleans it up. */
  db?: string;
}

/** Waits for the `listening on URL` line of a hub. */
function waitForUrl(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const onData = (d: Buffer) => {
      out += d;
      const m = /listening on (\S+)/.exec(out);
      if (m) {
        child.stdout!.off('data', onData);
        resolve(m[1]!);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (d) => (err += d));
    child.once('exit', (code) => reject(new Error(`hub exited ${code} before listening: ${err}`)));
  });
}

/** The engine a storage URL names. */
export function engineOf(db: string): Engine {
  return /^postgres(ql)?:\/\//.test(db) ? 'postgres' : 'sqlite';
}

/** Starts a hub process. Example: `const hub = await startHubProcess({ engine: 'postgres', args: ['--surface-limit', '3'] })`. */
export async function startHubProcess({ args = [], env = {}, engine, db: shared }: HubProcessOptions = {}): Promise<HubProcess> {
  const own = shared === undefined ? await freshDatabase(engine ?? 'sqlite') : undefined;
  const db = shared ?? own!.url;
  let child: ChildProcess;
  let url = '';
  const start = async (port: string) => {
    child = spawn(process.execPath, oioiArgv(['hub', '--db', db, '--port', port, ...args]), {
      cwd: repoRoot,
      env: { ...process.env, OIOI_LOG: process.env.OIOI_TEST_LOG ?? 'silent', OIOI_VALIDATE_RESPONSES: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    url = await waitForUrl(child);
  };
  try {
    await start('0');
  } catch (err) {
    await own?.drop().catch(() => undefined);
    throw err;
  }
  const exited = () => new Promise<void>((r) => (child.exitCode !== null || child.signalCode !== null ? r() : child.once('exit', () => r())));
  const hub: HubProcess = {
    get url() { return url; },
    db,
    engine: engineOf(db),
    get child() { return child; },
    async addPartner(o) {
      const args = ['partner', 'add', '--db', db, '--name', o.name, '--roles', o.roles, '--json'];
      if (o.endpoint) args.push('--endpoint', o.endpoint);
      if (o.endpointKey) args.push('--endpoint-key', o.endpointKey);
      if (o.rfidAuth) args.push('--rfid-auth', o.rfidAuth);
      if (o.evcoPrefix) args.push('--evco-prefix', o.evcoPrefix);
      return oioiJson<TestPartner>([...args, ...(o.extra ?? [])]);
    },
    cli: (a) => oioiJson([...a, '--db', db]),
    query: (sql, params = []) => queryDatabase(db, sql, params),
    async stop() {
      child.kill('SIGTERM');
      // A hub that does not finish stopping must not outlive the test: SIGKILL after 10 s.
      const stuck = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited();
      clearTimeout(stuck);
    },
    async kill() { child.kill('SIGKILL'); await exited(); },
    async restart() { await start(new URL(url).port).catch(() => start('0')); },
    cleanup: async () => { await own?.drop(); },
  } as HubProcess;
  return hub;
}
