/** Handlers of the RFID family: rfid-verify (CPO -> hub) and rfid-post (EMP/OEM -> hub). */
import { defaultMessage } from '../../protocol/result-codes.js';
import type { Handlers } from '../../transport/server/index.js';
import type { HubContext } from '../context.js';
import { ClientPool } from './online.js';
import { verifyRfid } from './verify.js';
import { postWhitelist } from './whitelist.js';

/**
 * The authorization slice's handler map. Example: `{ ...authorizationHandlers(ctx) }` in hubHandlers.
 */
export function authorizationHandlers(ctx: HubContext): Handlers {
  const pool = new ClientPool(ctx.events);
  return {
    // The UID arrives normalized (upper case, padded) by the rfid-verify schema's lenient reader.
    'rfid-verify': async (payload) => {
      const v = await verifyRfid(ctx, pool, payload.rfid);
      // evco-id only with code 0: the spec's response field is defined for successes, and a refusal
      // should not tell a CPO which contract a card belongs to.
      if (v.code === 0) return v.evcoId ? { 'evco-id': v.evcoId } : {};
      return { result: { code: v.code, message: defaultMessage(v.code) } };
    },
    // The server core already refused (211) a partner-identifier that is not the sender's.
    'rfid-post': async (payload, { principal }) => {
      const r = await postWhitelist(ctx, Number(principal.partnerId), payload['partner-identifier'], payload.rfids);
      return { rfid: { processed: r.added } };
    },
  };
}
