/**
 * Offline authorization on the charger itself: chargers that implement the
 * LocalAuthListManagement feature profile get the whole whitelist (SendLocalList, Full) when
 * they boot and whenever the hub posts a new one, so cards keep working while the link is down.
 */
import type { RPCClient } from 'ocpp-rpc';
import type { CpoContext } from './context.js';
import { whitelistUids, whitelistVersion } from './whitelist.js';

/** Asks a charger (once per connection) whether it manages a local list. */
async function supportsLocalList(ctx: CpoContext, id: string, client: RPCClient): Promise<boolean> {
  const known = ctx.chargers.all().find((c) => c.id === id)?.localList;
  if (known !== undefined) return known;
  const answer: any = await client.call('GetConfiguration', { key: ['SupportedFeatureProfiles'] }, { callTimeoutMs: ctx.settings.ocppCallTimeoutMs });
  const value: string = answer?.configurationKey?.find((k: any) => k.key === 'SupportedFeatureProfiles')?.value ?? '';
  const supported = value.split(',').map((s) => s.trim()).includes('LocalAuthListManagement');
  ctx.chargers.setLocalList(id, supported);
  return supported;
}

/**
 * Sends the current whitelist to one charger when it supports local lists, a list exists and the
 * charger holds another version (GetLocalListVersion).
 * Errors are logged, never thrown: a charger that cannot take the list still charges online.
 * Example: `await pushLocalList(ctx, 'CP1', client)`.
 */
export async function pushLocalList(ctx: CpoContext, id: string, client: RPCClient): Promise<void> {
  try {
    const version = whitelistVersion(ctx.db);
    if (version === 0 || !(await supportsLocalList(ctx, id, client))) return;
    const held: any = await client.call('GetLocalListVersion', {}, { callTimeoutMs: ctx.settings.ocppCallTimeoutMs });
    if (held?.listVersion === version) return;
    const localAuthorizationList = whitelistUids(ctx.db).map((idTag) => ({ idTag, idTagInfo: { status: 'Accepted' } }));
    const answer: any = await client.call('SendLocalList', { listVersion: version, updateType: 'Full', localAuthorizationList }, { callTimeoutMs: ctx.settings.ocppCallTimeoutMs });
    ctx.log.info({ msg: 'local list sent', chargePoint: id, version, cards: localAuthorizationList.length, status: answer?.status });
  } catch (err) {
    ctx.log.warn({ msg: 'local list not sent', chargePoint: id, error: (err as Error).message });
  }
}

/** Sends the whitelist to every connected charger (after an rfid-post). */
export function pushLocalListToAll(ctx: CpoContext): void {
  for (const c of ctx.chargers.all()) void pushLocalList(ctx, c.id, c.client);
}
