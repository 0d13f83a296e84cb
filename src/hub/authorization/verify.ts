/**
 * rfid-verify from a CPO, answered from the sources in shared/protocol.md's order: the hub's own
 * accounts, then the offline whitelists, then the EMPs that authorize online; nobody: 191.
 */
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
 * Decides one UID (already normalized); an online EMP's authorization is recorded (durable before
 * the answer), as only the record says whom that card's CDR goes to.
 * Example: `(await verifyRfid(ctx, pool, '04A2B3C4')).code === 0`.
 */
export async function verifyRfid(ctx: HubContext, pool: ClientPool, uid: string): Promise<Verdict> {
  const repo = ctx.storage.authorization;
  // Accounts, then whitelists, in one read that writes nothing: the CDR that follows is routed by
  // the accounts and the lists' history (cdrs/card-authority.ts), which are durable already.
  const offline = await repo.verifyOffline(uid);
  if (offline.source === 'account') {
    if (offline.locked) return { code: 192, evcoId: offline.evcoId, source: 'account' };
    if (!offline.hasPayment) return { code: 193, evcoId: offline.evcoId, source: 'account' };
    return { code: 0, evcoId: offline.evcoId, source: 'account' };
  }
  if (offline.source === 'whitelist') {
    const { evcoId } = offline.hit;
    return { code: 0, ...(evcoId ? { evcoId } : {}), source: 'whitelist' };
  }

  const answer = await askOnline(pool, onlineVerifiers(ctx.auth.partners()), uid, ctx.config.upstreamTimeoutMs, ctx.log);
  if (answer.kind === 'authorized') {
    const evco = answer.evcoId ? { evcoId: answer.evcoId } : {};
    await repo.recordAuthorization(uid, { partnerId: answer.partnerId, ...evco }, ctx.now());
    return { code: 0, ...evco, source: 'online' };
  }
  return { code: answer.code, source: answer.code === 191 ? 'none' : 'online' };
}
