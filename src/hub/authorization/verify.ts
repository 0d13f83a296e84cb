/**
 * rfid-verify from a CPO, answered from the sources in shared/protocol.md's order: the hub's own
 * accounts, then the offline whitelists, then the EMPs that authorize online; nobody: 191.
 */
import type { AuthorizationRecord } from '../../storage/authorization.js';
import type { HubContext } from '../context.js';
import { askOnline, ClientPool, onlineVerifiers } from './online.js';

/** The verdict for one UID: a result code, and the EVCO ID when one is known. */
export interface Verdict {
  code: number;
  evcoId?: string;
  /** Where the verdict came from, for logs and tests. */
  source: 'account' | 'whitelist' | 'online' | 'none';
}

/**
 * Decides one UID (already normalized) and remembers who authorized it.
 * Example: `(await verifyRfid(ctx, pool, '04A2B3C4')).code === 0`.
 */
export async function verifyRfid(ctx: HubContext, pool: ClientPool, uid: string): Promise<Verdict> {
  const repo = ctx.storage.authorization;
  const remember = async (by: AuthorizationRecord, verdict: Verdict): Promise<Verdict> => {
    // Awaited: the CDR that follows this authorization is routed by it, so it must be durable first.
    await repo.recordAuthorization(uid, by, ctx.now());
    return verdict;
  };

  const account = await repo.accountByUid(uid);
  if (account) {
    if (account.locked) return { code: 192, evcoId: account.evcoId, source: 'account' };
    if (!account.hasPayment) return { code: 193, evcoId: account.evcoId, source: 'account' };
    return remember({ partnerId: null, evcoId: account.evcoId }, { code: 0, evcoId: account.evcoId, source: 'account' });
  }

  const hit = await repo.whitelistHit(uid);
  if (hit) {
    const by: AuthorizationRecord = { partnerId: hit.partnerId, ...(hit.evcoId ? { evcoId: hit.evcoId } : {}) };
    return remember(by, { code: 0, ...(hit.evcoId ? { evcoId: hit.evcoId } : {}), source: 'whitelist' });
  }

  const answer = await askOnline(pool, onlineVerifiers(ctx.auth.partners()), uid, ctx.config.upstreamTimeoutMs, ctx.log);
  if (answer.kind === 'authorized') {
    const evco = answer.evcoId ? { evcoId: answer.evcoId } : {};
    return remember({ partnerId: answer.partnerId, ...evco }, { code: 0, ...evco, source: 'online' });
  }
  return { code: answer.code, source: answer.code === 191 ? 'none' : 'online' };
}
