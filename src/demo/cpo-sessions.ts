/**
 * Remote sessions and reservations at the simulated CPO: a remote start occupies the connector,
 * and when the session ends (by itself after `sessionMs`, or by a remote stop) the CPO posts the
 * CDR (session-post) to the hub, which forwards it to whoever started the session.
 */
import { randomUUID } from 'node:crypto';
import { formatDateTime, isSuccess } from '../protocol/index.js';
import type { SessionStart } from '../protocol/messages/session.js';
import type { ReservationStart } from '../protocol/messages/reservation.js';
import type { SimConnector, SimCpo } from './cpo.js';

type User = SessionStart['user'];

interface Session { id: string; connector: SimConnector; user: User; start: Date; timer: NodeJS.Timeout }
interface Reservation { connector: SimConnector; identifiers: ReservationStart['identifier']; end: Date; timer: NodeJS.Timeout }

/** What the CPO answers: a result code, and for a started session its id. */
export type Outcome = { code: number; message: string; sessionId?: string; end?: Date };

/** A demo price: 0.49 EUR per kWh, no session fee. */
const EUR_PER_KWH = 0.49;
/** How long a reservation holds a connector. */
const RESERVATION_MS = 15 * 60_000;

export class SimSessions {
  private readonly sessions = new Map<string, Session>();
  private readonly reservations = new Map<SimConnector, Reservation>();

  constructor(private readonly cpo: SimCpo, private readonly sessionMs: number, private readonly say: (line: string) => void) {}

  start(evse: string, user: User): Outcome {
    const c = this.cpo.connector(evse);
    if (!c) return { code: 181, message: `EVSE ${evse} is not one of ours.` };
    if ([...this.sessions.values()].some((s) => s.connector === c)) return { code: 320, message: 'EVSE already in use.' };
    if (c.status === 'Offline') return { code: 310, message: 'EVSE is out of order.' };
    const r = this.reservations.get(c);
    if (r) this.release(r, false);
    const s: Session = { id: `DMO-${randomUUID()}`, connector: c, user, start: new Date(), timer: setTimeout(() => this.finish(s, 'finished'), this.sessionMs) };
    this.sessions.set(s.id, s);
    c.held = true;
    this.cpo.track(this.cpo.setStatus(c, 'Occupied'));
    this.say(`cpo: remote start on ${c.evse} for ${user.identifier}: session ${s.id}, ends by itself in ${Math.round(this.sessionMs / 1000)} s`);
    return { code: 0, message: 'Session started.', sessionId: s.id };
  }

  stop(evse: string, sessionId: string | undefined): Outcome {
    const c = this.cpo.connector(evse);
    const s = sessionId ? this.sessions.get(sessionId) : [...this.sessions.values()].find((x) => x.connector === c);
    if (!s || (c && s.connector !== c)) return { code: 182, message: 'Session not found.' };
    this.finish(s, 'stopped remotely');
    return { code: 0, message: 'Session stopped.' };
  }

  reserve(evse: string, identifiers: ReservationStart['identifier']): Outcome {
    const c = this.cpo.connector(evse);
    if (!c) return { code: 181, message: `EVSE ${evse} is not one of ours.` };
    if (this.reservations.has(c)) return { code: 323, message: 'EVSE already reserved.' };
    if (c.held || c.status !== 'Available') return { code: 320, message: 'EVSE already in use.' };
    const end = new Date(Date.now() + RESERVATION_MS);
    const r: Reservation = { connector: c, identifiers, end, timer: setTimeout(() => this.release(r, true), RESERVATION_MS) };
    this.reservations.set(c, r);
    c.held = true;
    this.cpo.track(this.cpo.setStatus(c, 'Reserved'));
    this.say(`cpo: ${c.evse} reserved until ${formatDateTime(end)}`);
    return { code: 0, message: 'Reserved.', end };
  }

  /** reservation-stop names the customer (and maybe the connector), not a reservation id. */
  unreserve(type: 'evco-id' | 'rfid', identifier: string, evse: string | undefined): Outcome {
    const c = evse ? this.cpo.connector(evse) : undefined;
    const norm = (x: string) => x.replace(/[*-]/g, '').toUpperCase();
    const match = [...this.reservations.values()].find(
      (r) => (!c || r.connector === c) && r.identifiers.some((i) => norm((type === 'rfid' ? i.rfid : i['evco-id']) ?? '') === norm(identifier)),
    );
    if (!match) return { code: 189, message: 'Reservation not found.' };
    this.release(match, true);
    this.say(`cpo: reservation of ${match.connector.evse} cancelled`);
    return { code: 0, message: 'Reservation cancelled.' };
  }

  /** Ends every session without a CDR and drops reservations (the demo is shutting down). */
  clear(): void {
    for (const s of this.sessions.values()) clearTimeout(s.timer);
    for (const r of this.reservations.values()) clearTimeout(r.timer);
    this.sessions.clear();
    this.reservations.clear();
  }

  private release(r: Reservation, makeAvailable: boolean): void {
    clearTimeout(r.timer);
    this.reservations.delete(r.connector);
    r.connector.held = false;
    if (makeAvailable) this.cpo.track(this.cpo.setStatus(r.connector, 'Available'));
  }

  /** Ends a session: connector free again, CDR to the hub. Energy and cost follow the real duration. */
  private finish(s: Session, how: string): void {
    clearTimeout(s.timer);
    if (!this.sessions.delete(s.id)) return;
    s.connector.held = false;
    const stop = new Date();
    const hours = (stop.getTime() - s.start.getTime()) / 3_600_000;
    // Cars rarely draw the full rated power; 85 % is a fair average.
    const kWh = Math.round(s.connector.kW * 0.85 * hours * 1000) / 1000;
    const amount = Math.round(kWh * EUR_PER_KWH * 100) / 100;
    const interval = { start: formatDateTime(s.start), stop: formatDateTime(stop) };
    const cdr = this.cpo.client.send('session-post', {
      user: s.user,
      'session-id': s.id,
      'connector-id': s.connector.evse,
      'session-interval': interval,
      'charging-interval': interval,
      'energy-consumed': kWh,
      'calculated-cost': { amount, currency: 'EUR' },
      'partner-identifier': this.cpo.partnerIdentifier,
    });
    this.cpo.track(
      cdr.then(
        ({ result }) => this.say(`cpo: session ${s.id} ${how}, ${kWh} kWh, ${amount.toFixed(2)} EUR; CDR posted: code ${result.code}${isSuccess(result.code) ? '' : ` ${result.message}`}`),
        (err) => this.say(`cpo: CDR of ${s.id} not delivered: ${(err as Error).message}`),
      ),
    );
    this.cpo.track(this.cpo.setStatus(s.connector, 'Available'));
  }
}
