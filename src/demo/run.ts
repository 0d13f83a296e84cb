/**
 * `oioi demo` without the command line: a hub on its own database, a simulated CPO that loads it
 * with stations through the real HTTP API, a simulated OEM, and the examples to try.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startHub, type RunningHub } from '../hub/index.js';
import { openStorage } from '../storage/index.js';
import { OioiClient } from '../transport/client/index.js';
import type { Handlers, Logger } from '../transport/server/index.js';
import { banner } from './banner.js';
import { berlinBox } from './cities.js';
import { SimCpo } from './cpo.js';
import { cpoHandlers } from './cpo-endpoint.js';
import { SimSessions } from './cpo-sessions.js';
import { reachableUrl, type Example } from './curls.js';
import { DEMO_OEM_PREFIX, demoDrivers, makeDriver, oemHandlers } from './oem.js';
import { ensureHubAccount, ensureOperator, ensurePartner } from './partners.js';
import { seededRandom } from './random.js';
import { startSimEndpoint, type SimEndpoint } from './sim-endpoint.js';
import { generateStations } from './stations.js';

export interface DemoOptions {
  host: string;
  port: number;
  stations: number;
  statusIntervalMs: number;
  seed: number;
  /** A storage URL to keep; absent: a fresh temporary SQLite file, removed by stop(). */
  db?: string;
  logger: Logger;
  say: (line: string) => void;
}

export interface RunningDemo {
  banner: string;
  hub: RunningHub;
  /** The database in use (the temporary one when --db was not given). */
  db: string;
  stop(): Promise<void>;
}

/** A reason the demo cannot start, told to the person as is (no stack trace). */
export class DemoError extends Error {
  override name = 'DemoError';
}

/** Sessions end by themselves after ten status intervals: 30 s by default, quick in tests. */
function sessionLength(statusIntervalMs: number): number {
  return Math.min(120_000, Math.max(2_000, 10 * statusIntervalMs));
}

/** Starts everything; on failure, whatever was started is stopped again. Example: `const d = await startDemo(opts); process.stdout.write(d.banner)`. */
export async function startDemo(o: DemoOptions): Promise<RunningDemo> {
  const cleanups: Array<() => Promise<void> | void> = [];
  const unwind = async () => {
    for (const c of cleanups.reverse()) await Promise.resolve(c()).catch(() => {});
  };
  try {
    let db = o.db;
    if (!db) {
      const dir = mkdtempSync(join(tmpdir(), 'oioi-demo-'));
      cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
      db = `sqlite:${join(dir, 'demo.db')}`;
    }
    // Separate streams, so the drivers' cards do not depend on --stations, nor the stations on timing.
    const stations = generateStations(seededRandom(o.seed), o.stations);
    const driverRandom = seededRandom(o.seed + 1);
    const drivers = demoDrivers(driverRandom);
    const hubDriver = makeDriver(driverRandom, 'HUB', 1);
    const random = seededRandom(o.seed + 2);
    const sessionMs = sessionLength(o.statusIntervalMs);

    // The partners' endpoints come first: the hub must know their URLs when the partners are added.
    const cpoEndpointKey = `demo_${randomBytes(24).toString('base64url')}`;
    const oemEndpointKey = `demo_${randomBytes(24).toString('base64url')}`;
    // Filled once the hub runs: the CPO's sessions need its hub client, which needs the hub's URL.
    // The server reads its handler map per request, and nobody calls the CPO before that.
    const cpoCalls: Handlers = {};
    const cpoEndpoint: SimEndpoint = await startSimEndpoint({ name: 'hub', key: cpoEndpointKey, logger: o.logger, handlers: cpoCalls });
    cleanups.push(() => cpoEndpoint.close());
    const oemEndpoint = await startSimEndpoint({ name: 'hub', key: oemEndpointKey, logger: o.logger, handlers: oemHandlers(drivers, o.say) });
    cleanups.push(() => oemEndpoint.close());

    const storage = await openStorage(db);
    let storageOwned = true;
    cleanups.push(() => (storageOwned ? storage.close() : undefined));
    const cpoPartner = await ensurePartner(storage, { name: 'Demo CPO', roles: ['cpo'], endpoint: { url: cpoEndpoint.url, apiKey: cpoEndpointKey }, rfidAuth: 'offline' });
    const oemPartner = await ensurePartner(storage, {
      name: 'Demo OEM',
      roles: ['oem', 'emp'],
      endpoint: { url: oemEndpoint.url, apiKey: oemEndpointKey },
      rfidAuth: 'online',
      evcoPrefixes: [DEMO_OEM_PREFIX],
    });
    const accountProblem = await ensureHubAccount(storage, hubDriver);
    if (accountProblem) o.say(`hub: the demo's own driver account was not added: ${accountProblem}`);
    const operator = await ensureOperator(storage);

    let hub: RunningHub;
    try {
      hub = await startHub({ db: storage, host: o.host, port: o.port, logger: o.logger });
    } catch (err) {
      storageOwned = false; // startHub closes the storage it was given when it cannot listen
      if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') throw new DemoError(`port ${o.port} on ${o.host} is in use; try --port 0 for a free one`);
      throw err;
    }
    storageOwned = false;
    cleanups.push(() => hub.stop());
    const hubUrl = reachableUrl(hub.url);

    const cpo = new SimCpo({ hubUrl, apiKey: cpoPartner.apiKey, partnerIdentifier: cpoPartner.partnerIdentifier, stations, random, statusIntervalMs: o.statusIntervalMs, say: o.say });
    cleanups.push(() => cpo.stop());
    const sessions = new SimSessions(cpo, sessionMs, o.say);
    cleanups.push(() => sessions.clear());
    Object.assign(cpoCalls, cpoHandlers(sessions, o.say));
    const oem = new OioiClient({ url: hubUrl, apiKey: oemPartner.apiKey, timeoutMs: 10_000 });
    cleanups.push(() => oem.close());

    // The printed examples use Berlin: its first station's first connector is kept free for the
    // remote start, the second station's (or the second connector) is the one to set a status on.
    const berlin = stations.filter((s) => s.city.name === 'Berlin');
    const sessionEvse = berlin[0]!.data.connectors[0]!.id;
    const statusEvse = (berlin[1] ?? berlin[0]!).data.connectors[berlin[1] ? 0 : 1]!.id;
    cpo.connector(sessionEvse)!.pinned = true;

    // Drivers 2 and 3 go on the OEM's offline whitelist (the hub pushes it on to the CPO); driver 1's
    // card is left off so that the printed rfid-verify shows the online path, hub -> OEM, which
    // also tells the EVCO ID (a whitelist holds UIDs only).
    const whitelist = await oem.send('rfid-post', { rfids: drivers.slice(1).map((d) => d.uid), 'partner-identifier': oemPartner.partnerIdentifier }).catch((e: Error) => e);
    if (whitelist instanceof Error || whitelist.result.code !== 0) o.say(`oem: rfid-post of its whitelist failed: ${whitelist instanceof Error ? whitelist.message : `code ${whitelist.result.code} ${whitelist.result.message}`}`);

    const pushed = await cpo.pushStations();
    if (pushed.ok === 0) throw new DemoError(`the hub accepted none of the ${stations.length} stations (${pushed.firstError})`);
    if (pushed.failed > 0) o.say(`cpo: ${pushed.failed} of ${stations.length} stations refused, first: ${pushed.firstError}`);
    await cpo.pushInitialStatuses();

    const surfaceBody = { ...berlinBox };
    const surface = await oem.send('station-get-surface', surfaceBody).catch((e: Error) => e);
    const ids = surface instanceof Error ? [] : (surface.stations ?? []).slice(0, 3).map((s) => s.id);
    if (ids.length === 0) o.say(`oem: station-get-surface over Berlin found nothing${surface instanceof Error ? `: ${surface.message}` : ` (code ${surface.result.code})`}; the station-get-by-ids example uses id 1`);
    cpo.startTicker();

    const ex = (title: string, apiKey: string, body: Record<string, unknown>): Example => ({ title, url: hubUrl, apiKey, body });
    const examples = [
      ex('Stations over central Berlin, as the OEM', oemPartner.apiKey, { 'station-get-surface': surfaceBody }),
      ex('Details of some of them (hub station ids from the answer above)', oemPartner.apiKey, { 'station-get-by-ids': { 'station-ids': ids.length ? ids : [1] } }),
      ex(`Connector ${statusEvse} goes out of order, as the CPO`, cpoPartner.apiKey, {
        'connector-post-status': { 'connector-id': statusEvse, status: 'Offline', 'partner-identifier': cpoPartner.partnerIdentifier },
      }),
      ex(`Remote start on ${sessionEvse}, as the OEM (the CPO answers; its CDR follows in ${Math.round(sessionMs / 1000)} s)`, oemPartner.apiKey, {
        'session-start': { user: { 'identifier-type': 'evco-id', identifier: drivers[0]!.evcoId }, 'connector-id': sessionEvse },
      }),
      ex(`May RFID card ${drivers[0]!.uid} charge? Asked by the CPO; the hub asks the OEM online`, cpoPartner.apiKey, { 'rfid-verify': { rfid: drivers[0]!.uid } }),
      ex('Oldest API version the hub serves (any key)', oemPartner.apiKey, { 'api-minimum-version-number': {} }),
    ];
    const text = banner({
      hubUrl,
      db,
      temporary: !o.db,
      stations: pushed.ok,
      connectors: cpo.connectors.size,
      cities: new Set(stations.map((s) => s.city.name)).size,
      statusIntervalMs: o.statusIntervalMs,
      sessionMs,
      cpo: { apiKey: cpoPartner.apiKey, partnerIdentifier: cpoPartner.partnerIdentifier, endpoint: cpoEndpoint.url },
      oem: { apiKey: oemPartner.apiKey, partnerIdentifier: oemPartner.partnerIdentifier, endpoint: oemEndpoint.url, prefix: DEMO_OEM_PREFIX, driver: drivers[0]!, whitelist: drivers.slice(1).map((d) => d.uid) },
      examples,
      ...(hub.dashboardUrl ? { dashboard: { url: new URL('/dashboard/', hubUrl).href, ...operator } } : {}),
      ...(accountProblem ? {} : { hubAccount: hubDriver }),
    });
    let stopping: Promise<void> | undefined;
    return { banner: text, hub, db, stop: () => (stopping ??= unwind()) };
  } catch (err) {
    await unwind();
    throw err;
  }
}
