/**
 * The chargers connected right now, the last OCPP status of each connector, and the grace timer
 * that turns a silent charger's connectors Offline. A status reaches the hub only when its OIOI
 * form changes (Charging -> SuspendedEV is no news to a driver), remembered across restarts.
 */
import type { RPCClient as RPCServerClient } from 'ocpp-rpc';
import { evseKey } from '../protocol/index.js';
import type { Logger } from '../transport/server/index.js';
import type { CpoOutbox } from './outbox.js';
import type { EvseLocation, StationsConfig } from './stations-file.js';
import { oioiStatus, type OcppStatus, type OioiStatus } from './status.js';
import type { Db } from './store.js';

interface Connected { client: RPCServerClient; localList: boolean | undefined }

export interface ChargePointsOptions { db: Db; outbox: CpoOutbox; log: Logger; partnerIdentifier: string; offlineGraceMs: number; config: () => StationsConfig }

/** Example: `const cps = new ChargePoints({...}); cps.connected('CP1', client); cps.status(loc, 'Charging')`. */
export class ChargePoints {
  private readonly online = new Map<string, Connected>();
  private readonly statuses = new Map<string, OcppStatus>();
  private readonly graceTimers = new Map<string, NodeJS.Timeout>();
  private stopped = false;

  constructor(private readonly o: ChargePointsOptions) {}

  /** A charger connected: it is online again, its grace timer stops. */
  connected(id: string, client: RPCServerClient): void {
    clearTimeout(this.graceTimers.get(id));
    this.graceTimers.delete(id);
    const previous = this.online.get(id);
    this.online.set(id, { client, localList: previous?.localList });
  }

  /** A charger's connection closed; if it is the current one, start the grace period. */
  disconnected(id: string, client: RPCServerClient): void {
    if (this.online.get(id)?.client !== client) return;
    this.online.delete(id);
    // Closing every socket at shutdown is no news for the hub: the chargers will reconnect.
    if (!this.stopped) this.startGrace(id);
  }

  /** Starts the grace period of every charge point not connected (at start-up, after a file change). */
  graceForAbsent(): void {
    for (const id of this.o.config().chargePoints.keys()) if (!this.online.has(id) && !this.graceTimers.has(id)) this.startGrace(id);
  }

  /** Disconnects chargers no longer in the stations file (they would otherwise charge unmapped). */
  dropUnknown(): void {
    for (const [id, c] of this.online) {
      if (this.o.config().chargePoints.has(id)) continue;
      this.online.delete(id);
      void c.client.close({ code: 1008, reason: 'no longer in the stations file', force: true }).catch(() => {});
      this.o.log.warn({ msg: 'charger removed from the stations file; disconnected', chargePoint: id });
    }
  }

  client(id: string): RPCServerClient | undefined {
    return this.online.get(id)?.client;
  }

  /** Every connected charger. */
  all(): Array<{ id: string; client: RPCServerClient; localList: boolean | undefined }> {
    return [...this.online.entries()].map(([id, c]) => ({ id, ...c }));
  }

  /** Records whether a charger manages a local authorization list (asked once per connection). */
  setLocalList(id: string, supported: boolean): void {
    const c = this.online.get(id);
    if (c) c.localList = supported;
  }

  /** The last OCPP status a connector reported in this run. */
  ocppStatus(loc: EvseLocation): OcppStatus | undefined {
    return this.statuses.get(evseKey(loc.evseId));
  }

  /** A StatusNotification: remember it and tell the hub when the OIOI status changed. */
  status(loc: EvseLocation, status: OcppStatus): void {
    this.statuses.set(evseKey(loc.evseId), status);
    this.post(loc, oioiStatus(status));
  }

  /** Whether the hub was last told this charger's connectors are Offline (then a reconnect asks for fresh statuses). */
  wasReportedOffline(id: string): boolean {
    const cp = this.o.config().chargePoints.get(id);
    if (!cp) return false;
    const get = this.o.db.prepare('SELECT sent FROM evse_status WHERE evse_key = ?').pluck();
    return [...cp.connectors.values()].some((loc) => get.get(evseKey(loc.evseId)) === 'Offline');
  }

  /** Stops every timer (the gateway is stopping). */
  stop(): void {
    this.stopped = true;
    for (const t of this.graceTimers.values()) clearTimeout(t);
    this.graceTimers.clear();
  }

  private startGrace(id: string): void {
    clearTimeout(this.graceTimers.get(id));
    const timer = setTimeout(() => {
      this.graceTimers.delete(id);
      if (this.online.has(id)) return;
      const cp = this.o.config().chargePoints.get(id);
      if (!cp) return;
      this.o.log.warn({ msg: 'charger offline past the grace period', chargePoint: id });
      for (const loc of cp.connectors.values()) {
        this.statuses.delete(evseKey(loc.evseId));
        this.post(loc, 'Offline');
      }
    }, this.o.offlineGraceMs);
    timer.unref();
    this.graceTimers.set(id, timer);
  }

  private post(loc: EvseLocation, status: OioiStatus): void {
    const key = evseKey(loc.evseId);
    const sent = this.o.db.prepare('SELECT sent FROM evse_status WHERE evse_key = ?').pluck().get(key);
    if (sent === status) return;
    this.o.db.transaction(() => {
      this.o.db.prepare('INSERT INTO evse_status (evse_key, sent) VALUES (?, ?) ON CONFLICT (evse_key) DO UPDATE SET sent = excluded.sent').run(key, status);
      this.o.outbox.enqueue('connector-post-status', { 'connector-id': loc.evseId, status, 'partner-identifier': this.o.partnerIdentifier });
    })();
  }
}
