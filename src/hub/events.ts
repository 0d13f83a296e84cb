/**
 * The hub's in-process event bus: one `traffic` event per OIOI request answered or sent, one
 * `status` event per connector status change. The dashboard feeds its traffic ring, counters,
 * per-minute stats and live stream from it. Events carry nothing secret: no bodies, no keys.
 */
import type { ConnectorStatusValue } from '../storage/poi.js';

/** One OIOI message the hub answered (`in`) or sent to a partner (`out`). */
export interface TrafficEvent {
  /** ms since epoch. */
  at: number;
  direction: 'in' | 'out';
  /** The call name; null when the request was refused before its body was read. */
  call: string | null;
  partnerId: number | null;
  partnerName: string | null;
  /** The result code; null when no answer came (transport failure). */
  code: number | null;
  /** HTTP status of the answer, when there was one. */
  httpStatus: number | null;
  latencyMs: number;
  /** Why no usable answer came (time-out, network), for `out` only. */
  error?: string;
}

/** A connector-post-status that changed connectors. */
export interface StatusEvent {
  at: number;
  /** The partner identifier the station was posted under. */
  ownerIdentifier: string;
  evseId: string;
  evseKey: string;
  status: ConnectorStatusValue;
}

type Listener<T> = (event: T) => void;

/** Example: `const events = new HubEvents(); const off = events.onTraffic((e) => …); events.traffic(e); off()`. */
export class HubEvents {
  private readonly trafficListeners = new Set<Listener<TrafficEvent>>();
  private readonly statusListeners = new Set<Listener<StatusEvent>>();

  /** Subscribes to traffic; returns the unsubscribe function. */
  onTraffic(fn: Listener<TrafficEvent>): () => void {
    this.trafficListeners.add(fn);
    return () => this.trafficListeners.delete(fn);
  }

  /** Subscribes to status changes; returns the unsubscribe function. */
  onStatus(fn: Listener<StatusEvent>): () => void {
    this.statusListeners.add(fn);
    return () => this.statusListeners.delete(fn);
  }

  /** Publishes one message; a failing listener never disturbs the request that caused it. */
  traffic(event: TrafficEvent): void {
    emit(this.trafficListeners, event);
  }

  /** Publishes one status change. */
  status(event: StatusEvent): void {
    emit(this.statusListeners, event);
  }
}

function emit<T>(listeners: Set<Listener<T>>, event: T): void {
  for (const fn of listeners) {
    try {
      fn(event);
    } catch {
      // an observer's bug must not turn into a partner's error
    }
  }
}

/**
 * Reports a call the hub makes to a partner, then hands back the answer (or the failure) unchanged.
 * Example: `const answer = await observeSend(ctx.events, 'session-start', cpo, client.send('session-start', payload))`.
 */
export async function observeSend<T extends { result: { code: number }; httpStatus?: number }>(
  events: HubEvents | undefined,
  call: string,
  partner: { id: number; name: string },
  sending: Promise<T>,
): Promise<T> {
  if (!events) return sending;
  const start = performance.now();
  const base = { direction: 'out' as const, call, partnerId: partner.id, partnerName: partner.name };
  try {
    const answer = await sending;
    events.traffic({ ...base, at: Date.now(), code: answer.result.code, httpStatus: answer.httpStatus ?? null, latencyMs: elapsed(start) });
    return answer;
  } catch (err) {
    const e = err as { kind?: string; message?: string } | undefined;
    // Aborted: another EMP answered first (rfid-verify); not a failure of this partner.
    if (e?.kind !== 'aborted') {
      events.traffic({ ...base, at: Date.now(), code: null, httpStatus: null, latencyMs: elapsed(start), error: e?.kind ? `${e.kind}: ${e.message}` : String(e?.message ?? err) });
    }
    throw err;
  }
}

function elapsed(start: number): number {
  return Math.round((performance.now() - start) * 100) / 100;
}

/**
 * The traffic event of a request the server answered. Example: `server option onResponse: (r) => events.traffic(inboundTraffic(r))`.
 */
export function inboundTraffic(r: { call?: string | undefined; partnerId?: string | undefined; partnerName?: string | undefined; status: number; code: number; latencyMs: number }): TrafficEvent {
  return {
    at: Date.now(),
    direction: 'in',
    call: r.call ?? null,
    partnerId: r.partnerId === undefined ? null : Number(r.partnerId),
    partnerName: r.partnerName ?? null,
    code: r.code,
    httpStatus: r.status,
    latencyMs: r.latencyMs,
  };
}
