/** rfid-post from an EMP/OEM: the sender's complete whitelist replaces its previous one. */
import type { WhitelistReplaceResult } from '../../storage/authorization.js';
import type { HubContext } from '../context.js';
import { whitelistPush } from './push-targets.js';

/**
 * Replaces the whitelist of `partnerIdentifier` (already checked to belong to the sender) and, when
 * it changed, enqueues the merged list for offline-mode CPOs in the same transaction.
 * Example: `(await postWhitelist(ctx, 7, pid, ['04A2B3C4'])).added`.
 */
export function postWhitelist(ctx: HubContext, partnerId: number, partnerIdentifier: string, uids: readonly string[]): Promise<WhitelistReplaceResult> {
  const push = whitelistPush(ctx.auth.partners(), ctx.now().getTime());
  return ctx.storage.authorization.replaceWhitelist(partnerIdentifier, partnerId, uids, push);
}
