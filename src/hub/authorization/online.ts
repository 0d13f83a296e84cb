/**
 * Asking EMP/OEM partners in `online` RFID mode whether they know a UID: all at once, under one
 * deadline; the first positive answer wins and the slower requests are aborted.
 */
import { isSuccess } from '../../protocol/result-codes.js';
import { isEvcoId } from '../../protocol/identifiers/evco-id.js';
import type { PartnerRecord } from '../../storage/partners.js';
import { OioiClient } from '../../transport/client/index.js';
import type { Logger } from '../../transport/server/index.js';
import { observeSend, type HubEvents } from '../events.js';

/** What the online EMPs said: a winner, else the most telling refusal (192/193 before 191). */
export type OnlineAnswer =
  | { kind: 'authorized'; partnerId: number; evcoId?: string }
  | { kind: 'refused'; code: number; partnerId?: number };

/** Partners the hub asks online: EMP or OEM role, `online` mode, an endpoint. */
export function onlineVerifiers(partners: readonly PartnerRecord[]): PartnerRecord[] {
  return partners.filter((p) => (p.roles.includes('emp') || p.roles.includes('oem')) && p.rfidAuth === 'online' && p.endpoint?.url);
}

/** Keeps one keep-alive client per partner endpoint; a changed URL or key gets a fresh client. */
export class ClientPool {
  private readonly clients = new Map<number, { url: string; apiKey: string; client: OioiClient }>();

  /** `events`: where the calls made through this pool are reported (the dashboard's traffic). */
  constructor(readonly events?: HubEvents) {}

  /** The client of a partner with an endpoint. Example: `pool.clientOf(partner).send('rfid-verify', { rfid })`. */
  clientOf(p: PartnerRecord & { endpoint: NonNullable<PartnerRecord['endpoint']> }): OioiClient {
    const have = this.clients.get(p.id);
    if (have && have.url === p.endpoint.url && have.apiKey === p.endpoint.apiKey) return have.client;
    have?.client.close();
    // Retries would outlive the verify deadline; one attempt, the deadline bounds it.
    const client = new OioiClient({ url: p.endpoint.url, apiKey: p.endpoint.apiKey || '-', retry: false });
    this.clients.set(p.id, { url: p.endpoint.url, apiKey: p.endpoint.apiKey, client });
    return client;
  }

  close(): void {
    for (const c of this.clients.values()) c.client.close();
    this.clients.clear();
  }
}

/** Refusals that say more than "unknown": a known but locked card, or one without payment. */
const TELLING = [192, 193];

/**
 * Sends `rfid-verify` to every partner in parallel; resolves on the first success code, or when
 * all have answered or failed, or at `timeoutMs`, whichever comes first.
 * Example: `await askOnline(pool, onlineVerifiers(ctx.auth.partners()), '04A2B3C4', 500, log)`.
 */
export function askOnline(pool: ClientPool, partners: readonly PartnerRecord[], uid: string, timeoutMs: number, log: Logger): Promise<OnlineAnswer> {
  if (partners.length === 0) return Promise.resolve({ kind: 'refused', code: 191 });
  const abort = new AbortController();
  return new Promise<OnlineAnswer>((resolve) => {
    let open = partners.length;
    let refusal: Extract<OnlineAnswer, { kind: 'refused' }> = { kind: 'refused', code: 191 };
    const finish = (answer: OnlineAnswer) => {
      clearTimeout(timer);
      abort.abort();
      resolve(answer);
    };
    const timer = setTimeout(() => {
      log.warn({ msg: 'rfid-verify: online EMPs did not all answer in time', timeoutMs, waitingFor: open });
      finish(refusal);
    }, timeoutMs);
    for (const p of partners) {
      const client = pool.clientOf(p as PartnerRecord & { endpoint: NonNullable<PartnerRecord['endpoint']> });
      observeSend(pool.events, 'rfid-verify', p, client.send('rfid-verify', { rfid: uid }, { timeoutMs, signal: abort.signal }))
        .then((res) => {
          const code = res.result.code;
          // An HTTP error is no verdict, whatever its body says: the EMP counts as unreachable.
          if (res.httpStatus >= 400 && (isSuccess(code) || res.httpStatus >= 500)) {
            log.warn({ msg: 'rfid-verify: online EMP answered an HTTP error', partner: p.name, status: res.httpStatus, code });
            return;
          }
          if (isSuccess(code)) {
            const evco = (res as { 'evco-id'?: unknown })['evco-id'];
            finish({ kind: 'authorized', partnerId: p.id, ...(typeof evco === 'string' && isEvcoId(evco) ? { evcoId: evco } : {}) });
            return;
          }
          if (TELLING.includes(code) && refusal.code === 191) refusal = { kind: 'refused', code, partnerId: p.id };
        })
        .catch((err: { kind?: string; message?: string }) => {
          if (err?.kind !== 'aborted') log.warn({ msg: 'rfid-verify: online EMP unreachable', partner: p.name, error: String(err?.message ?? err) });
        })
        .finally(() => {
          if (--open === 0 && !abort.signal.aborted) finish(refusal);
        });
    }
  });
}
