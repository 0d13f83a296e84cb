/**
 * A real `oioi hub` process on port 0 with its own SQLite file, for end-to-end tests.
 * Example:
 *   const hub = await startHubProcess();
 *   const cpo = await hub.addPartner({ name: 'CPO', roles: 'cpo' });
 *   const res = await send(hub.url, cpo.apiKey, { 'station-post': {...} });
 *   await hub.stop();
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { oioiArgv, oioiJson, repoRoot, tempDir } from './cli.js';

export interface TestPartner { id: number; name: string; roles: string[]; partnerIdentifier: string; apiKey: string }

export interface HubProcess {
  url: string;
  db: string;
  child: ChildProcess;
  /** Adds a partner through `oioi partner add --json`. Flags as in shared/cli.md, without dashes. */
  addPartner(opts: { name: string; roles: string; endpoint?: string; endpointKey?: string; rfidAuth?: string; evcoPrefix?: string; extra?: string[] }): Promise<TestPartner>;
  /** Runs any `oioi` command against this hub's database (`--db` added). */
  cli(args: string[]): Promise<any>;
  /** SIGTERM and wait (clean stop). */
  stop(): Promise<void>;
  /** SIGKILL and wait (crash). */
  kill(): Promise<void>;
  /** Starts a new hub process on the same database (after stop/kill), same port if possible. */
  restart(): Promise<void>;
  /** Removes the temporary folder (after stop). */
  cleanup(): void;
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

export async function startHubProcess({ args = [], env = {} }: { args?: string[]; env?: NodeJS.ProcessEnv } = {}): Promise<HubProcess> {
  const tmp = tempDir('oioi-hub-');
  const db = `sqlite:${join(tmp.dir, 'hub.db')}`;
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
  await start('0');
  const exited = () => new Promise<void>((r) => (child.exitCode !== null || child.signalCode !== null ? r() : child.once('exit', () => r())));
  const hub: HubProcess = {
    get url() { return url; },
    db,
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
    async stop() { child.kill('SIGTERM'); await exited(); },
    async kill() { child.kill('SIGKILL'); await exited(); },
    async restart() { await start(new URL(url).port).catch(() => start('0')); },
    cleanup: () => tmp.remove(),
  } as HubProcess;
  return hub;
}
