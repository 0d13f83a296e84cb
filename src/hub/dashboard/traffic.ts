/**
 * What the dashboard remembers of the hub's traffic, in process and since the hub started: the
 * last messages (a bounded ring), request and error counts per partner, and per-minute counts by
 * call and by result code for the last hour.
 */
import { isSuccess } from '../../protocol/result-codes.js';
import { isoOf } from '../poi/format.js';
import type { HubEvents, TrafficEvent } from '../events.js';

/** One message as the dashboard API shows it (docs/dashboard.md). */
export interface TrafficMessage {
  at: string;
  direction: 'in' | 'out';
  call: string | null;
  partnerId: number | null;
  partnerName: string | null;
  code: number | null;
  latencyMs: number;
  error?: string;
}

export interface TrafficFilter { call?: string; partner?: string; code?: number; limit: number }

interface Minute { byCall: Record<string, number>; byCode: Record<string, number> }

const MINUTE = 60_000;

/** Whether a message counts as an error: no answer, an HTTP error, or a code that is no success. */
export function isError(e: Pick<TrafficEvent, 'code' | 'httpStatus'>): boolean {
  return e.code === null || !isSuccess(e.code) || (e.httpStatus !== null && e.httpStatus >= 400);
}

/** The API form of an event. Example: `messageOf(event).at` is RFC 3339. */
export function messageOf(e: TrafficEvent): TrafficMessage {
  const m: TrafficMessage = { at: isoOf(e.at), direction: e.direction, call: e.call, partnerId: e.partnerId, partnerName: e.partnerName, code: e.code, latencyMs: e.latencyMs };
  if (e.error !== undefined) m.error = e.error;
  return m;
}

/** Example: `const log = new TrafficLog(events); …; log.messages({ limit: 50 }); log.stop()`. */
export class TrafficLog {
  private readonly ring: TrafficEvent[] = [];
  private head = 0;
  private readonly perPartner = new Map<number, { requests: number; errors: number }>();
  private readonly minutes = new Map<number, Minute>();
  private readonly unsubscribe: () => void;

  constructor(
    events: HubEvents,
    private readonly capacity = 1000,
    private readonly now: () => number = Date.now,
  ) {
    this.unsubscribe = events.onTraffic((e) => this.add(e));
  }

  /** Records one message. */
  add(e: TrafficEvent): void {
    if (this.ring.length < this.capacity) this.ring.push(e);
    else {
      this.ring[this.head] = e;
      this.head = (this.head + 1) % this.capacity;
    }
    if (e.partnerId !== null) {
      let c = this.perPartner.get(e.partnerId);
      if (!c) this.perPartner.set(e.partnerId, (c = { requests: 0, errors: 0 }));
      c.requests++;
      if (isError(e)) c.errors++;
    }
    const key = Math.floor(e.at / MINUTE) * MINUTE;
    let m = this.minutes.get(key);
    if (!m) {
      this.minutes.set(key, (m = { byCall: {}, byCode: {} }));
      for (const k of this.minutes.keys()) if (k < key - 60 * MINUTE) this.minutes.delete(k);
    }
    const call = e.call ?? '(none)';
    m.byCall[call] = (m.byCall[call] ?? 0) + 1;
    const code = e.code === null ? 'none' : String(e.code);
    m.byCode[code] = (m.byCode[code] ?? 0) + 1;
  }

  /** Messages newest first, filtered. `partner` is a partner id or part of a partner name. */
  messages(f: TrafficFilter): TrafficMessage[] {
    const out: TrafficMessage[] = [];
    const n = this.ring.length;
    const byId = f.partner !== undefined && /^[0-9]+$/.test(f.partner) ? Number(f.partner) : undefined;
    const byName = f.partner !== undefined && byId === undefined ? f.partner.toLowerCase() : undefined;
    for (let i = 0; i < n && out.length < f.limit; i++) {
      const e = this.ring[(this.head - 1 - i + 2 * n) % n]!;
      if (f.call !== undefined && e.call !== f.call) continue;
      if (f.code !== undefined && e.code !== f.code) continue;
      if (byId !== undefined && e.partnerId !== byId) continue;
      if (byName !== undefined && !(e.partnerName ?? '').toLowerCase().includes(byName)) continue;
      out.push(messageOf(e));
    }
    return out;
  }

  /** Requests (in and out) and errors of a partner since the hub started. */
  partnerTraffic(partnerId: number): { requests: number; errors: number } {
    const c = this.perPartner.get(partnerId);
    return c ? { ...c } : { requests: 0, errors: 0 };
  }

  /** The last 60 minutes, oldest first, one entry per minute (empty minutes included). */
  series(): { requestsPerMinute: Array<{ minute: string; byCall: Record<string, number> }>; codesOverTime: Array<{ minute: string; byCode: Record<string, number> }> } {
    const last = Math.floor(this.now() / MINUTE) * MINUTE;
    const requestsPerMinute = [];
    const codesOverTime = [];
    for (let t = last - 59 * MINUTE; t <= last; t += MINUTE) {
      const m = this.minutes.get(t);
      requestsPerMinute.push({ minute: isoOf(t), byCall: { ...(m?.byCall ?? {}) } });
      codesOverTime.push({ minute: isoOf(t), byCode: { ...(m?.byCode ?? {}) } });
    }
    return { requestsPerMinute, codesOverTime };
  }

  stop(): void {
    this.unsubscribe();
  }
}
