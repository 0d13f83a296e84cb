/**
 * Decides an OCPP idTag: the local whitelist first, then the cache of earlier positive hub
 * answers, then rfid-verify at the hub. OCPP answers: Accepted, Blocked (the hub says the card
 * is locked: 192) or Invalid (unknown, not a card number, or the hub unreachable: a gateway that
 * cannot ask must not give energy away to unknown cards).
 */
import { isSuccess } from '../protocol/index.js';
import type { OioiClient } from '../transport/client/index.js';
import type { Logger } from '../transport/server/index.js';
import type { Db } from './store.js';
import { cachedPositive, cachePositive, forgetCached, isWhitelisted, uidOfIdTag } from './whitelist.js';

export type IdTagStatus = 'Accepted' | 'Blocked' | 'Invalid';

export interface Decision { status: IdTagStatus; uid: string | undefined; evcoId?: string; via: 'whitelist' | 'cache' | 'hub' | 'none' }

export interface AuthorizerOptions { db: Db; client: OioiClient; log: Logger; cacheMs: number; timeoutMs: number; now?: () => number }

/**
 * Returns a function deciding idTags.
 * Example: `const decide = authorizer({ db, client, log, cacheMs: 3600_000, timeoutMs: 5000 }); (await decide('0123ABCD')).status`.
 */
export function authorizer({ db, client, log, cacheMs, timeoutMs, now = Date.now }: AuthorizerOptions): (idTag: string) => Promise<Decision> {
  return async (idTag) => {
    const uid = uidOfIdTag(idTag);
    if (!uid) return { status: 'Invalid', uid, via: 'none' };
    if (isWhitelisted(db, uid)) return { status: 'Accepted', uid, via: 'whitelist' };
    const cached = cachedPositive(db, uid, now());
    if (cached) return { status: 'Accepted', uid, via: 'cache', ...(cached.evcoId ? { evcoId: cached.evcoId } : {}) };
    try {
      const answer = await client.send('rfid-verify', { rfid: uid }, { timeoutMs, validate: false });
      const code = answer.result.code;
      if (isSuccess(code)) {
        const evcoId = typeof answer['evco-id'] === 'string' ? answer['evco-id'] : undefined;
        if (cacheMs > 0) cachePositive(db, uid, evcoId, now() + cacheMs);
        return { status: 'Accepted', uid, via: 'hub', ...(evcoId ? { evcoId } : {}) };
      }
      forgetCached(db, uid);
      return { status: code === 192 ? 'Blocked' : 'Invalid', uid, via: 'hub' };
    } catch (err) {
      log.warn({ msg: 'rfid-verify at the hub failed; card refused', uid, error: (err as Error).message });
      return { status: 'Invalid', uid, via: 'none' };
    }
  };
}
