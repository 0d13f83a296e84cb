/**
 * `oioi cpo` as a library: an OCPP 1.6J central system for the operator's chargers and an OIOI
 * endpoint for the hub, joined by the gateway's own SQLite state and the outbox toward the hub.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { unwatchFile, watchFile } from 'node:fs';
import type { AddressInfo } from 'node:net';
import ocpp from 'ocpp-rpc';
import { OioiClient } from '../transport/client/index.js';
import { createLogger, createOioiServer, type Logger } from '../transport/server/index.js';
import { authorizer } from './authorize.js';
import { ChargePoints } from './charge-points.js';
import type { CpoContext, GatewaySettings, PendingStart } from './context.js';
import { handleCharger } from './ocpp-handlers.js';
import { cpoHandlers, hubAuthenticator } from './oioi-handlers.js';
import { CpoOutbox } from './outbox.js';
import { loadStations, type StationsConfig } from './stations-file.js';
import { syncStations } from './stations-sync.js';
import { openCpoDb } from './store.js';

/** Compares a Basic-auth password in constant time (hashes first, so lengths leak nothing either). */
function samePassword(given: Buffer | undefined, expected: string): boolean {
  if (!given) return false;
  const h = (b: Buffer | string) => createHash('sha256').update(b).digest();
  return timingSafeEqual(h(given), h(expected));
}

export interface CpoGatewayOptions extends Partial<GatewaySettings> {
  hubUrl: string;
  hubKey: string;
  partnerIdentifier: string;
  stationsPath: string;
  /** The key the hub presents when it calls this gateway; without it every call is refused (401). */
  key?: string;
  db?: string;
  host?: string;
  port?: number;
  ocppPort?: number;
  path?: string;
  /** How long a positive rfid-verify answer is trusted without asking again. */
  authCacheMs?: number;
  /** Deadline of calls to the hub. */
  hubTimeoutMs?: number;
  outboxMinDelayMs?: number;
  outboxMaxDelayMs?: number;
  logger?: Logger;
}

export interface CpoGateway {
  /** The OIOI request URL the hub calls. */
  url: string;
  /** The OCPP WebSocket base URL; chargers append their id. */
  ocppUrl: string;
  stop(): Promise<void>;
}

/**
 * Starts the gateway; throws StationsFileError for a bad stations file.
 * Example: `const gw = await startCpoGateway({ hubUrl, hubKey, partnerIdentifier, stationsPath: 'stations.json', port: 0, ocppPort: 0 })`.
 */
export async function startCpoGateway(options: CpoGatewayOptions): Promise<CpoGateway> {
  const {
    hubUrl, hubKey, partnerIdentifier, stationsPath, key, db: dbUrl = 'sqlite:./data/oioi-cpo.db', host = '127.0.0.1', port = 8081, ocppPort = 9220,
    path = '/api/v4/request', authCacheMs = 3600_000, hubTimeoutMs = 10_000, outboxMinDelayMs = 1000, outboxMaxDelayMs = 10 * 60_000, logger = createLogger(),
  } = options;
  const settings: GatewaySettings = Object.freeze({
    heartbeatIntervalS: options.heartbeatIntervalS ?? 300,
    offlineGraceMs: options.offlineGraceMs ?? 60_000,
    remoteStartTimeoutMs: options.remoteStartTimeoutMs ?? 15_000,
    ocppCallTimeoutMs: options.ocppCallTimeoutMs ?? 10_000,
    postOngoingSessions: options.postOngoingSessions ?? false,
    reservationMs: options.reservationMs ?? 15 * 60_000,
  });
  let config: StationsConfig = loadStations(stationsPath);
  const db = openCpoDb(dbUrl);
  const hub = new OioiClient({ url: hubUrl, apiKey: hubKey, timeoutMs: hubTimeoutMs, retry: false });
  const outbox = new CpoOutbox({ db, client: hub, log: logger, minDelayMs: outboxMinDelayMs, maxDelayMs: outboxMaxDelayMs });
  const chargers = new ChargePoints({ db, outbox, log: logger, partnerIdentifier, offlineGraceMs: settings.offlineGraceMs, config: () => config });
  const ctx: CpoContext = {
    db, log: logger, outbox, hub, partnerIdentifier, settings, chargers,
    config: () => config,
    decide: authorizer({ db, client: hub, log: logger, cacheMs: authCacheMs, timeoutMs: Math.min(hubTimeoutMs, 8000) }),
    pendingStarts: new Map<string, PendingStart>(),
    now: Date.now,
  };

  const ocppServer = new ocpp.RPCServer({ protocols: ['ocpp1.6'], strictMode: true, callTimeoutMs: settings.ocppCallTimeoutMs });
  ocppServer.auth((accept, reject, handshake) => {
    const cp = config.chargePoints.get(handshake.identity);
    if (!cp) return reject(404, 'unknown charge point');
    if (cp.password !== undefined && !samePassword(handshake.password, cp.password)) return reject(401, 'wrong or missing password');
    if (!handshake.protocols.has('ocpp1.6')) return reject(400, 'this central system speaks ocpp1.6');
    accept({}, 'ocpp1.6');
  });
  ocppServer.on('client', (client) => {
    const id = client.identity!;
    const previous = chargers.client(id);
    const offlineBefore = chargers.wasReportedOffline(id);
    chargers.connected(id, client);
    // A charger reconnecting drops its old socket, which may not have noticed yet.
    if (previous && previous !== client) void previous.close({ code: 1000, reason: 'replaced by a new connection', force: true });
    client.on('close', () => chargers.disconnected(id, client));
    client.on('strictValidationFailure', (e: any) => logger.warn({ msg: 'OCPP message broke the 1.6 schema', chargePoint: id, error: e?.error?.message }));
    handleCharger(ctx, client);
    logger.info({ msg: 'charger connected', chargePoint: id });
    if (offlineBefore) {
      // The hub shows it Offline: ask for fresh statuses rather than wait for the next change.
      setImmediate(() => void client.call('TriggerMessage', { requestedMessage: 'StatusNotification' }, { callTimeoutMs: settings.ocppCallTimeoutMs }).catch(() => {}));
    }
  });

  const oioi = createOioiServer({ path, authenticate: hubAuthenticator(key, partnerIdentifier), handlers: cpoHandlers(ctx), logger });
  let wsServer: import('node:http').Server | undefined;
  try {
    wsServer = await ocppServer.listen(ocppPort, host);
    await oioi.listen(port, host);
  } catch (err) {
    await ocppServer.close({ force: true }).catch(() => {});
    db.close();
    throw err;
  }
  const wsPort = (wsServer.address() as AddressInfo).port;

  syncStations(ctx, config, true);
  outbox.start();
  chargers.graceForAbsent();

  let reloading: NodeJS.Timeout | undefined;
  const onChange = () => {
    clearTimeout(reloading);
    reloading = setTimeout(() => {
      try {
        config = loadStations(stationsPath);
        const queued = syncStations(ctx, config, false);
        chargers.dropUnknown();
        chargers.graceForAbsent();
        logger.info({ msg: 'stations file reloaded', stations: config.stations.length, posted: queued });
      } catch (err) {
        logger.error({ msg: 'stations file not reloaded; keeping the previous one', error: (err as Error).message });
      }
    }, 100);
  };
  watchFile(stationsPath, { interval: 250 }, onChange);

  return {
    url: oioi.url!,
    ocppUrl: `ws://${host.includes(':') ? `[${host}]` : host}:${wsPort}/`,
    async stop() {
      unwatchFile(stationsPath, onChange);
      clearTimeout(reloading);
      chargers.stop();
      await outbox.stop();
      await ocppServer.close({ force: true }).catch(() => {});
      await oioi.close(2000);
      db.close();
    },
  };
}
