/**
 * The outbox worker: delivers what the hub owes partners (CDRs, whitelists), at least once
 * (shared/protocol.md, "CDRs"), in order per subject (storage/outbox.ts). Each partner with due
 * entries gets a lane of its own: rounds of up to `perPartner` entries sent side by side, one per
 * subject, the next round once every answer is recorded, until nothing of the partner is due. A
 * slow or dead partner so holds up only its own lane. A failure backs off exponentially with
 * jitter; one that is the partner's own (see `holdsPartner`) holds the whole queue behind one
 * probing entry until the partner answers again. Entries undeliverable longer than
 * `outboxDeadAfterMs` go to 'dead' for the operator (`oioi outbox`).
 */
import { isSuccess, type CallName } from '../../protocol/index.js';
import type { OutboxEntry } from '../../storage/outbox.js';
import { isOioiClientError, OioiClient } from '../../transport/client/index.js';
import type { HubContext, HubWorker } from '../context.js';
import { observeSend } from '../events.js';
import { withoutSecrets } from '../redact.js';

export interface OutboxWorkerOptions {
  /** How often to look for due entries without a wake-up (other processes retry entries too). */
  pollMs?: number;
  /** Most partners served at once (one lane each); default `config.outboxLanes` (--outbox-lanes). */
  lanes?: number;
  /** Most entries of one partner in flight at once (each of another subject); default `config.outboxPerPartner` (--outbox-per-partner). */
  perPartner?: number;
  random?: () => number;
}

/**
 * Whether a failed delivery says something about the partner rather than about the entry: no
 * usable answer (transport failure, time-out), an HTTP status of an endpoint that is down, wrong,
 * overloaded or refusing our key, or a result code of a system error or a refused key. Then every
 * entry would fail alike, so the partner's queue waits behind one entry. Any other refusal (a
 * code about this message's content, such as 230, 180-195) holds back only the entry's subject.
 * Example: `holdsPartner({ httpStatus: 503 })` and `holdsPartner({ httpStatus: 200, code: 210 })` are true.
 */
export function holdsPartner(f: { httpStatus?: number; code?: number }): boolean {
  const { httpStatus, code } = f;
  if (httpStatus === undefined || code === undefined) return true;
  if (httpStatus >= 500 || [401, 403, 404, 408, 429].includes(httpStatus)) return true;
  return (code >= 100 && code < 140) || code === 210 || code === 211 || code === 220 || code === 300 || code === 302 || code === 400 || code === 402;
}

/**
 * The wait after the `attempts`-th failure: min * 2^(attempts-1), capped, with "equal jitter"
 * (half fixed, half random) so a failing partner is neither hammered nor forgotten.
 * Example: `retryDelay(1, 1000, 600000)` is in [500, 1000].
 */
export function retryDelay(attempts: number, minMs: number, maxMs: number, random: () => number = Math.random): number {
  const base = Math.min(maxMs, minMs * 2 ** Math.min(Math.max(attempts - 1, 0), 40));
  return Math.round(base / 2 + random() * (base / 2));
}

/**
 * Longest one delivery may take, whatever `--upstream-timeout` says: it bounds the lease below, so
 * a crashed process's claim holds a partner's queue for at most about a minute.
 */
export const OUTBOX_SEND_LIMIT_MS = 45_000;

/**
 * Time between the send giving up and its outcome being stored, with room to spare. On PostgreSQL
 * `due` leases what it returns for send time + this margin; after that another hub process may
 * send the entry again (the claimer is taken for dead), so a live claimer must settle before.
 */
export const OUTBOX_LEASE_MARGIN_MS = 10_000;

/** Starts the worker. Example: `const w = startOutboxWorker(ctx); …; await w.stop()`. */
export function startOutboxWorker(ctx: HubContext, { pollMs = 1000, lanes: maxLanes = ctx.config.outboxLanes, perPartner = ctx.config.outboxPerPartner, random = Math.random }: OutboxWorkerOptions = {}): HubWorker & { wake(): void } {
  const { storage, config, log } = ctx;
  const sendTimeoutMs = Math.min(config.upstreamTimeoutMs, OUTBOX_SEND_LIMIT_MS);
  const leaseMs = sendTimeoutMs + OUTBOX_LEASE_MARGIN_MS;
  const clients = new Map<number, { url: string; apiKey: string; client: OioiClient }>();
  /** Partners being served, each by one lane (see `lane`). */
  const lanes = new Map<number, Promise<void>>();
  let stopped = false;
  let scanning: Promise<void> | undefined;
  let again = false;
  let timer: NodeJS.Timeout | undefined;

  /** One client per partner endpoint, replaced when the operator changes the endpoint. */
  function clientFor(partnerId: number, url: string, apiKey: string): OioiClient {
    const c = clients.get(partnerId);
    if (c && c.url === url && c.apiKey === apiKey) return c.client;
    c?.client.close();
    const client = new OioiClient({ url, apiKey: apiKey || '-', timeoutMs: sendTimeoutMs, retry: false });
    clients.set(partnerId, { url, apiKey, client });
    return client;
  }

  async function fail(e: OutboxEntry, error: string, answer: { httpStatus?: number; code?: number } = {}): Promise<void> {
    const now = ctx.now().getTime();
    const age = now - (e.retriedAt ?? e.createdAt);
    const dead = age >= config.outboxDeadAfterMs;
    const nextAttemptAt = now + retryDelay(e.attempts + 1, config.outboxMinDelayMs, config.outboxMaxDelayMs, random);
    const holds = holdsPartner(answer);
    const { code } = answer;
    await storage.outbox.markFailed(e.id, { error, ...(code === undefined ? {} : { code }), nextAttemptAt, dead, holdsPartner: holds });
    log[dead ? 'error' : 'warn']({ msg: dead ? 'outbox entry dead' : 'outbox delivery failed', id: e.id, partner: e.partnerId, call: e.call, error, holdsPartner: holds });
  }

  /**
   * Sends `e` and records the outcome before resolving. The delivered marks of the entries a lane
   * sent side by side, and of other lanes in the same turn, share one write on SQLite (often with
   * the CDR writes of that turn). A crash between the partner's answer and the mark's commit
   * sends the entry again: at least once, never lost.
   */
  async function deliver(e: OutboxEntry): Promise<void> {
    const partner = ctx.auth.partner(e.partnerId);
    if (!partner) return fail(e, `partner ${e.partnerId} no longer exists`);
    if (!partner.endpoint?.url) return fail(e, `partner ${e.partnerId} (${partner.name}) has no endpoint: set one with oioi partner, then oioi outbox retry`);
    let answer: { result: { code: number; message: string }; httpStatus: number };
    try {
      const client = clientFor(partner.id, partner.endpoint.url, partner.endpoint.apiKey);
      // An engine that has the payload's stored JSON at hand (`payloadJson`) spares parsing and serializing it again.
      const { payloadJson } = e;
      const opts = payloadJson === undefined ? { timeoutMs: sendTimeoutMs } : { timeoutMs: sendTimeoutMs, payloadJson };
      answer = (await observeSend(ctx.events, e.call, partner, client.send(e.call as CallName, (payloadJson === undefined ? e.payload : undefined) as never, opts))) as never;
    } catch (err) {
      const what = isOioiClientError(err) ? `${err.kind}: ${err.message}` : String((err as Error)?.message ?? err);
      return fail(e, what);
    }
    const { httpStatus } = answer;
    const code = answer.result.code;
    // Delivered means a success code in a non-error HTTP answer: a 5xx claiming success is a failure.
    if (httpStatus >= 400) return fail(e, `partner answered ${code} with HTTP ${httpStatus}: ${withoutSecrets(answer.result.message, partner.endpoint.apiKey)}`, { httpStatus, code });
    if (!isSuccess(code)) return fail(e, `partner answered ${code}: ${withoutSecrets(answer.result.message, partner.endpoint.apiKey)}`, { httpStatus, code });
    const now = ctx.now().getTime();
    await storage.outbox.markDelivered(e.id, now, code);
    log.info({ msg: 'outbox delivered', id: e.id, partner: e.partnerId, call: e.call, code });
    // The partner answers again: its queue is no longer held behind one entry.
    if (e.holdsPartner) await storage.outbox.release(e.partnerId);
  }

  /**
   * Serves one partner: sends `round` side by side, waits until every outcome is recorded, then
   * takes the partner's next due entries, until none is due. Ends by looking again for any
   * partner (new entries of this one may have come between its last look and its end).
   */
  async function lane(partnerId: number, round: OutboxEntry[]): Promise<void> {
    let lostOutcome = false;
    try {
      // A round already claimed is sent even when the worker is stopping (on PostgreSQL it is leased to this process).
      while (round.length > 0) {
        const outcomes = await Promise.allSettled(round.map(deliver));
        const lost = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
        if (lost) {
          // An outcome that could not be recorded (storage failing): the entry is still open, and the
          // poll comes back to the partner later rather than sending it again at once.
          log.error({ msg: 'outbox: cannot record outcome', partner: partnerId, error: String(lost.reason?.message ?? lost.reason) });
          lostOutcome = true;
          return;
        }
        if (stopped) return;
        round = await storage.outbox.due(ctx.now().getTime(), perPartner, leaseMs, { perPartner, partner: partnerId });
      }
    } catch (err) {
      log.error({ msg: 'outbox: cannot read due entries', partner: partnerId, error: String((err as Error)?.message ?? err) });
    } finally {
      lanes.delete(partnerId);
      if (!stopped && !lostOutcome) kick();
    }
  }

  /** Opens a lane for every partner with due entries and none yet, as many as `lanes` allows. */
  async function scan(): Promise<void> {
    do {
      again = false;
      const room = maxLanes - lanes.size;
      if (room <= 0) return; // a lane ending looks again
      let due: OutboxEntry[];
      try {
        due = await storage.outbox.due(ctx.now().getTime(), room * perPartner, leaseMs, { perPartner, skipPartners: [...lanes.keys()] });
      } catch (err) {
        log.error({ msg: 'outbox: cannot read due entries', error: String((err as Error)?.message ?? err) });
        return;
      }
      const byPartner = new Map<number, OutboxEntry[]>();
      for (const e of due) {
        const round = byPartner.get(e.partnerId);
        if (round) round.push(e);
        else byPartner.set(e.partnerId, [e]);
      }
      // Every entry claimed goes into a lane (on PostgreSQL `due` leased it to this process).
      for (const [partnerId, round] of byPartner) lanes.set(partnerId, lane(partnerId, round));
      if (due.length >= room * perPartner) again = true; // more partners may be due
    } while (!stopped && again);
  }

  function kick(): void {
    if (stopped) return;
    if (scanning) {
      again = true;
      return;
    }
    clearTimeout(timer);
    scanning = scan().finally(() => {
      scanning = undefined;
      if (stopped) return;
      if (again) kick();
      // unref: the poll alone keeps no process alive (the hub's server does), not even one whose lane waits forever.
      else timer = setTimeout(kick, pollMs).unref();
    });
  }

  // Rows for partners that all have a lane need no scan: each lane reads its partner's queue again
  // after every round, and a lane that ends scans for everyone. Under a stream of CDRs to one EMP,
  // a scan per commit found nothing and cost the cdr benchmark's hub 7% of its CPU (220 µs a scan).
  const unsubscribe = storage.outbox.onEnqueue((partners) => {
    if (partners === undefined || !partners.every((p) => lanes.has(p))) kick();
  });
  kick();
  return {
    wake: kick,
    async stop() {
      stopped = true;
      unsubscribe();
      clearTimeout(timer);
      await scanning;
      await Promise.all(lanes.values()); // in-flight sends finish and their outcomes are recorded
      for (const c of clients.values()) c.client.close();
    },
  };
}
