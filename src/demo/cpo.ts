/**
 * The simulated CPO's side toward the hub: it posts its stations through the real HTTP API, sets
 * every connector's first status, then keeps a few connectors changing every interval so maps
 * built on station-get-surface look alive.
 */
import { evseKey, isSuccess, type RequestOf } from '../protocol/index.js';
import { OioiClient } from '../transport/client/index.js';
import { mapLimit } from './pool.js';
import type { Random } from './random.js';
import type { SimStation } from './stations.js';

export type Status = 'Available' | 'Occupied' | 'Reserved' | 'Offline' | 'Unknown';

export interface SimConnector {
  evse: string;
  kW: number;
  station: SimStation;
  status: Status;
  /** Left alone by the ticker: the printed session-start example needs it Available. */
  pinned: boolean;
  /** A remote session or reservation holds it: the ticker does not touch it either. */
  held: boolean;
}

export interface SimCpoOptions {
  hubUrl: string;
  apiKey: string;
  partnerIdentifier: string;
  stations: SimStation[];
  random: Random;
  statusIntervalMs: number;
  /** One line of activity for the person watching (stderr). */
  say: (line: string) => void;
}

/** How many requests the simulator has in flight at once while it loads the hub. */
const PUSH_CONCURRENCY = 8;

/** Where a connector goes next: mostly cars arriving and leaving, now and then an outage. */
function nextStatus(r: Random, s: Status): Status {
  if (s === 'Available') return r.chance(0.9) ? 'Occupied' : 'Offline';
  if (s === 'Occupied') return r.chance(0.95) ? 'Available' : 'Offline';
  return 'Available';
}

export class SimCpo {
  readonly connectors = new Map<string, SimConnector>();
  readonly client: OioiClient;
  private readonly inFlight = new Set<Promise<unknown>>();
  private timer: NodeJS.Timeout | undefined;
  private ticking = false;

  constructor(private readonly o: SimCpoOptions) {
    // Retries cover a hub that is briefly busy; the simulator never gives up the whole run for one post.
    this.client = new OioiClient({ url: o.hubUrl, apiKey: o.apiKey, timeoutMs: 10_000, retry: { retries: 2, minDelayMs: 100, maxDelayMs: 1_000 } });
    for (const station of o.stations) {
      for (const c of station.data.connectors) {
        this.connectors.set(evseKey(c.id), { evse: c.id, kW: c.speed, station, status: 'Unknown', pinned: false, held: false });
      }
    }
  }

  get partnerIdentifier(): string {
    return this.o.partnerIdentifier;
  }

  connector(evse: string): SimConnector | undefined {
    return this.connectors.get(evseKey(evse));
  }

  /** Posts every station; resolves with how many the hub accepted and the first refusal. */
  async pushStations(): Promise<{ ok: number; failed: number; firstError?: string }> {
    let ok = 0;
    let firstError: string | undefined;
    await mapLimit(this.o.stations, PUSH_CONCURRENCY, async (s) => {
      const why = await this.call(() => this.client.send('station-post', { station: s.data, 'partner-identifier': this.o.partnerIdentifier }));
      if (why === undefined) ok++;
      else firstError ??= `station ${s.data.id}: ${why}`;
    });
    return { ok, failed: this.o.stations.length - ok, ...(firstError ? { firstError } : {}) };
  }

  /** Gives every connector its first status: most free, some busy, a few out of order. */
  async pushInitialStatuses(): Promise<void> {
    const r = this.o.random;
    await mapLimit([...this.connectors.values()], PUSH_CONCURRENCY, (c) => {
      const status: Status = c.pinned ? 'Available' : r.weighted(['Available', 'Occupied', 'Offline'] as const, [65, 30, 5]);
      return this.setStatus(c, status);
    });
  }

  /** Records a status locally and posts it; failures are reported, never thrown. */
  async setStatus(c: SimConnector, status: Status): Promise<void> {
    c.status = status;
    const why = await this.call(() => this.client.send('connector-post-status', { 'connector-id': c.evse, status: status as RequestOf<'connector-post-status'>['status'], 'partner-identifier': this.o.partnerIdentifier }));
    if (why !== undefined) this.o.say(`cpo: connector-post-status ${c.evse} ${status} failed: ${why}`);
  }

  /** Changes a few random connectors every interval (about one in a hundred, at least one). */
  startTicker(): void {
    const free = () => [...this.connectors.values()].filter((c) => !c.pinned && !c.held);
    const perTick = Math.max(1, Math.round(this.connectors.size / 100));
    this.timer = setInterval(() => {
      // A slow hub must not pile up ticks: skip one rather than queue it.
      if (this.ticking) return;
      this.ticking = true;
      const candidates = free();
      const picked = new Set<SimConnector>();
      for (let i = 0; i < perTick && candidates.length > 0; i++) picked.add(this.o.random.pick(candidates));
      this.track(Promise.all([...picked].map((c) => this.setStatus(c, nextStatus(this.o.random, c.status))))).finally(() => (this.ticking = false));
    }, this.o.statusIntervalMs);
  }

  /** Keeps a promise until it settles, so stop() can wait for what is still on the wire. */
  track<T>(p: Promise<T>): Promise<T> {
    this.inFlight.add(p);
    p.finally(() => this.inFlight.delete(p)).catch(() => {});
    return p;
  }

  /** Stops the ticker, waits for requests in flight, closes the connection pool. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await Promise.allSettled([...this.inFlight]);
    this.client.close();
  }

  /** Runs one request: undefined on success, otherwise why not (code and message, or transport error). */
  private async call(send: () => Promise<{ result: { code: number; message: string } }>): Promise<string | undefined> {
    try {
      const { result } = await send();
      return isSuccess(result.code) ? undefined : `code ${result.code} ${result.message}`;
    } catch (err) {
      return (err as Error).message;
    }
  }
}
