/**
 * A simulated OCPP 1.6J charge point for end-to-end tests, built on ocpp-rpc's RPCClient in
 * strict mode (every message both ways is checked against the official 1.6 schemas). It answers
 * the central system's calls the way a well-behaved charger does, and records them.
 * Example:
 *   const cp = await startCharger({ url: gw.ocppUrl, id: 'CP1', password: 'secret-123' });
 *   await cp.status(1, 'Available');
 *   const tx = await cp.startTransaction(1, '0123ABCD', 1000);
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { repoRoot, tempDir } from './cli.js';
import ocpp from 'ocpp-rpc';

export interface ReceivedCall { method: string; params: any }

export interface ChargerOptions {
  url: string;
  id: string;
  password?: string;
  /** Feature profiles announced through GetConfiguration (default with LocalAuthListManagement). */
  profiles?: string;
  /** Strict schema validation on the charger too (default true). */
  strict?: boolean;
  /** Skip BootNotification and the initial Available statuses. */
  noBoot?: boolean;
  connectors?: number[];
}

export interface Charger {
  client: InstanceType<typeof ocpp.RPCClient>;
  received: ReceivedCall[];
  /** How to answer a central-system call; default per method below. */
  answer(method: string, fn: (params: any) => any): void;
  waitFor(method: string, timeoutMs?: number, predicate?: (c: ReceivedCall) => boolean): Promise<ReceivedCall>;
  status(connectorId: number, status: string): Promise<void>;
  authorize(idTag: string): Promise<string>;
  startTransaction(connectorId: number, idTag: string, meterStart: number, extra?: Record<string, unknown>): Promise<{ transactionId: number; status: string }>;
  meterValues(connectorId: number, transactionId: number, wh: number, at?: Date): Promise<void>;
  stopTransaction(transactionId: number, meterStop: number, reason?: string, at?: Date): Promise<void>;
  close(): Promise<void>;
}

/** Connects a simulated charger and (unless `noBoot`) boots it with every connector Available. */
export async function startCharger(o: ChargerOptions): Promise<Charger> {
  const client = new ocpp.RPCClient({
    endpoint: o.url.replace(/\/$/, ''),
    identity: o.id,
    protocols: ['ocpp1.6'],
    strictMode: o.strict ?? true,
    reconnect: false,
    callTimeoutMs: 5000,
    ...(o.password ? { password: o.password } : {}),
  } as ConstructorParameters<typeof ocpp.RPCClient>[0]);
  const received: ReceivedCall[] = [];
  const waiters: Array<() => void> = [];
  const custom = new Map<string, (params: any) => any>();
  let localList: { version: number; tags: string[] } = { version: 0, tags: [] };
  const sim: Charger = {
    client,
    received,
    answer: (m, fn) => void custom.set(m, fn),
    waitFor(method, timeoutMs = 8000, predicate = () => true) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`charger ${o.id}: no ${method} within ${timeoutMs} ms (got ${received.map((r) => r.method).join(', ') || 'nothing'})`)), timeoutMs);
        const check = () => {
          const hit = received.find((r) => r.method === method && predicate(r));
          if (hit) { clearTimeout(timer); resolve(hit); } else waiters.push(check);
        };
        check();
      });
    },
    status: async (connectorId, status) => { await client.call('StatusNotification', { connectorId, errorCode: 'NoError', status, timestamp: new Date().toISOString() }); },
    authorize: async (idTag) => ((await client.call('Authorize', { idTag })) as any).idTagInfo.status,
    async startTransaction(connectorId, idTag, meterStart, extra = {}) {
      const r: any = await client.call('StartTransaction', { connectorId, idTag, meterStart, timestamp: new Date().toISOString(), ...extra });
      return { transactionId: r.transactionId, status: r.idTagInfo.status };
    },
    async meterValues(connectorId, transactionId, wh, at = new Date()) {
      await client.call('MeterValues', { connectorId, transactionId, meterValue: [{ timestamp: at.toISOString(), sampledValue: [{ value: String(wh), measurand: 'Energy.Active.Import.Register', unit: 'Wh' }] }] });
    },
    async stopTransaction(transactionId, meterStop, reason = 'Local', at = new Date()) {
      await client.call('StopTransaction', { transactionId, meterStop, timestamp: at.toISOString(), reason });
    },
    close: async () => { await client.close({ force: true }); },
  };
  client.handle(async ({ method, params }: any) => {
    received.push({ method, params });
    waiters.splice(0).forEach((w) => w());
    const fn = custom.get(method);
    if (fn) return fn(params);
    switch (method) {
      case 'GetConfiguration':
        return { configurationKey: [{ key: 'SupportedFeatureProfiles', readonly: true, value: o.profiles ?? 'Core,LocalAuthListManagement,Reservation,RemoteTrigger' }] };
      case 'SendLocalList':
        localList = { version: params.listVersion, tags: (params.localAuthorizationList ?? []).map((e: any) => e.idTag) };
        return { status: 'Accepted' };
      case 'GetLocalListVersion':
        return { listVersion: localList.version };
      case 'TriggerMessage':
        return { status: 'Accepted' };
      default:
        return { status: 'Accepted' };
    }
  });
  await client.connect();
  if (!o.noBoot) {
    await client.call('BootNotification', { chargePointVendor: 'oioi-test', chargePointModel: 'sim' });
    for (const c of o.connectors ?? [1]) await sim.status(c, 'Available');
  }
  return sim;
}

/** A stations-file entry: one station with one charge point and its connectors. */
export function aStationEntry(id: string, chargePointId: string, evses: string[], opts: { password?: string; lat?: number; lon?: number; reservable?: boolean } = {}) {
  return {
    id,
    name: `Station ${id}`,
    latitude: opts.lat ?? 52.52,
    longitude: opts.lon ?? 13.405,
    address: { street: 'Torstr.', 'street-number': '1', city: 'Berlin', zip: '10119', country: 'DE' },
    contact: { phone: '+49 30 1234567' },
    'cpo-id': 'DE*GWY',
    'is-open-24': true,
    'is-reservable': opts.reservable ?? true,
    'charge-points': [{ id: chargePointId, ...(opts.password ? { password: opts.password } : {}), connectors: evses.map((evse, i) => ({ 'connector-id': i + 1, 'evse-id': evse, type: 'Type2', speed: 22 })) }],
  };
}

/** A free TCP port on loopback (for a gateway URL the hub must know before the gateway starts). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

export interface CpoProcess {
  url: string;
  ocppUrl: string;
  db: string;
  stationsPath: string;
  child: ChildProcess;
  /** Rewrites the stations file (the gateway watches it). */
  writeStations(stations: unknown[]): void;
  stop(): Promise<void>;
  kill(): Promise<void>;
  /** A new process on the same database, stations file and ports. */
  restart(): Promise<void>;
  cleanup(): void;
}

function waitForReady(child: ChildProcess): Promise<{ url: string; ocppUrl: string }> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const onData = (d: Buffer) => {
      out += d;
      const m = /oioi cpo listening on (\S+) ocpp (\S+)/.exec(out);
      if (m) {
        child.stdout!.off('data', onData);
        resolve({ url: m[1]!, ocppUrl: m[2]! });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (d) => (err += d));
    child.once('exit', (code) => reject(new Error(`oioi cpo exited ${code} before listening: ${err}`)));
  });
}

/**
 * A real `oioi cpo` process (`node bin/oioi.js cpo`, so dist/ must be built) on its own SQLite
 * file and stations file. `port` is the OIOI port (0: any); the OCPP port is picked freely and
 * kept across restarts.
 */
export async function startCpoProcess(o: { hubUrl: string; hubKey: string; partnerIdentifier: string; key: string; port: number; stations: unknown[]; args?: string[] }): Promise<CpoProcess> {
  const tmp = tempDir('oioi-cpo-');
  const db = `sqlite:${join(tmp.dir, 'cpo.db')}`;
  const stationsPath = join(tmp.dir, 'stations.json');
  writeFileSync(stationsPath, JSON.stringify({ stations: o.stations }, null, 2));
  let child: ChildProcess;
  let ready = { url: '', ocppUrl: '' };
  const start = async (port: number, ocppPort: number) => {
    child = spawn(process.execPath, [join(repoRoot, 'bin/oioi.js'), 'cpo', '--hub', o.hubUrl, '--hub-key', o.hubKey, `--partner-identifier=${o.partnerIdentifier}`,
      '--stations', stationsPath, '--key', o.key, '--db', db, '--port', String(port), '--ocpp-port', String(ocppPort), ...(o.args ?? [])], {
      cwd: repoRoot,
      env: { ...process.env, OIOI_LOG: process.env.OIOI_TEST_LOG ?? 'silent' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    ready = await waitForReady(child);
  };
  await start(o.port, 0);
  const exited = () => new Promise<void>((r) => (child.exitCode !== null || child.signalCode !== null ? r() : child.once('exit', () => r())));
  return {
    get url() { return ready.url; },
    get ocppUrl() { return ready.ocppUrl; },
    db,
    stationsPath,
    get child() { return child; },
    writeStations: (stations) => writeFileSync(stationsPath, JSON.stringify({ stations }, null, 2)),
    async stop() { child.kill('SIGTERM'); await exited(); },
    async kill() { child.kill('SIGKILL'); await exited(); },
    async restart() { await start(Number(new URL(ready.url).port), Number(new URL(ready.ocppUrl).port)); },
    cleanup: () => tmp.remove(),
  } as CpoProcess;
}

/**
 * Tears down what a gateway test started, so no process or file outlives it: chargers, gateway,
 * hub, mock partners, then the files of gateway and hub. Anything may be missing (a `before` that
 * failed midway). Example: `after(() => stopCpoTest({ chargers, gw, hub, mocks: [emp] }))`.
 */
export async function stopCpoTest(t: {
  chargers?: ReadonlyArray<Charger | undefined>;
  gw?: CpoProcess | undefined;
  hub?: { stop(): Promise<void>; cleanup(): void } | undefined;
  mocks?: ReadonlyArray<{ close(): Promise<void> } | undefined>;
}): Promise<void> {
  await Promise.all((t.chargers ?? []).map((c) => c?.close().catch(() => {})));
  await t.gw?.stop();
  await t.hub?.stop();
  for (const m of t.mocks ?? []) await m?.close();
  t.gw?.cleanup();
  t.hub?.cleanup();
}
