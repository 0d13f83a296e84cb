/**
 * The gateway's OIOI endpoint: what the hub may ask of this CPO. One API key (`--key`), the
 * hub's, with the roles of the EMPs and OEMs it speaks for.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Authenticate, Handlers } from '../transport/server/index.js';
import type { CpoContext } from './context.js';
import { pushLocalListToAll } from './local-list.js';
import { sessionStart, sessionStop } from './remote-sessions.js';
import { reservationStart, reservationStop } from './reservations.js';
import { replaceWhitelist } from './whitelist.js';

const digest = (s: string) => createHash('sha256').update(s).digest();

/**
 * Accepts exactly the hub's key (constant-time); without a configured key nobody is let in.
 * Example: `createOioiServer({ authenticate: hubAuthenticator(key, pid), handlers })`.
 */
export function hubAuthenticator(key: string | undefined, partnerIdentifier: string): Authenticate {
  const expected = key ? digest(key) : undefined;
  return (apiKey) => {
    if (!expected || !timingSafeEqual(digest(apiKey), expected)) return undefined;
    return { partnerId: 'hub', name: 'hub', roles: ['emp', 'oem'], partnerIdentifiers: [partnerIdentifier], keyId: 'hub' };
  };
}

/** The handlers of the calls a hub sends a CPO. Example: `createOioiServer({ handlers: cpoHandlers(ctx), … })`. */
export function cpoHandlers(ctx: CpoContext): Handlers {
  return {
    'session-start': (p) => sessionStart(ctx, p),
    'session-stop': (p) => sessionStop(ctx, p),
    'reservation-start': (p) => reservationStart(ctx, p),
    'reservation-stop': (p) => reservationStop(ctx, p),
    'rfid-post': (p) => {
      const { processed, version } = replaceWhitelist(ctx.db, p.rfids);
      ctx.log.info({ msg: 'whitelist replaced', cards: p.rfids.length, processed, version });
      pushLocalListToAll(ctx);
      return { result: { code: 0, message: 'Success.' }, rfid: { processed } };
    },
  };
}
