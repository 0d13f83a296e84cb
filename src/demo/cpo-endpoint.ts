/**
 * What the simulated CPO answers when the hub calls it: remote start/stop, reservations, and the
 * merged RFID whitelist the hub pushes to CPOs that authorize offline.
 */
import type { Handlers } from '../transport/server/index.js';
import type { Outcome, SimSessions } from './cpo-sessions.js';
import { formatDateTime } from '../protocol/index.js';

const result = (o: Outcome) => ({ code: o.code, message: o.message });

/** The CPO endpoint's handlers. Example: `startSimEndpoint({ handlers: cpoHandlers(sessions, say), … })`. */
export function cpoHandlers(sessions: SimSessions, say: (line: string) => void): Handlers {
  let whitelist = 0;
  return {
    'session-start': (p) => {
      const o = sessions.start(p['connector-id'], p.user);
      return o.sessionId ? { result: result(o), 'session-start': { 'session-id': o.sessionId, 'is-stoppable': true } } : { result: result(o) };
    },
    'session-stop': (p) => ({ result: result(sessions.stop(p['connector-id'], p['session-id'])) }),
    'reservation-start': (p) => {
      const o = sessions.reserve(p['connector-id'], p.identifier);
      return o.end ? { result: result(o), 'reservation-start': { end: formatDateTime(o.end) } } : { result: result(o) };
    },
    'reservation-stop': (p) => ({ result: result(sessions.unreserve(p['identifier-type'], p.identifier, p['connector-id'])) }),
    'rfid-post': (p) => {
      // The hub always sends the whole list; `processed` counts the cards new to us.
      const processed = Math.max(0, p.rfids.length - whitelist);
      whitelist = p.rfids.length;
      say(`cpo: received the hub's RFID whitelist (${p.rfids.length} card${p.rfids.length === 1 ? '' : 's'}) for offline authorization`);
      return { rfid: { processed } };
    },
  };
}
