/**
 * connector-post-status: only connectors of live stations posted under the same partner
 * identifier change. A foreign EVSE ID is answered exactly like an unknown one, so a CPO cannot
 * learn which EVSE IDs other partners have.
 */
import { oioiError } from '../../protocol/errors.js';
import { evseKey } from '../../protocol/identifiers/evse-id.js';
import type { ConnectorStatusValue } from '../../storage/poi.js';
import type { HubContext } from '../context.js';

/** The answer to an EVSE ID the partner identifier does not own, existing or not. */
export const EVSE_NOT_FOUND = 'EVSE not found among the stations of this partner identifier';

/**
 * Sets the status of every connector with that EVSE ID the identifier owns; 181 when none.
 * Example: `await postConnectorStatus(ctx, pid, 'DE*8PS*E1', 'Available')`.
 */
export async function postConnectorStatus(ctx: HubContext, partnerIdentifier: string, evseId: string, status: ConnectorStatusValue): Promise<number> {
  const at = ctx.now().getTime();
  const key = evseKey(evseId);
  const changed = await ctx.storage.poi.setStatus(partnerIdentifier, key, status, at);
  // One fixed message, whatever the reason: unknown and foreign EVSE IDs must look the same.
  if (changed === 0) throw oioiError(181, EVSE_NOT_FOUND);
  ctx.events?.status({ at, ownerIdentifier: partnerIdentifier, evseId, evseKey: key, status });
  return changed;
}
