/**
 * The outbox worker: delivers what the hub owes partners (CDRs, whitelists), at least once, in
 * order per partner (shared/protocol.md, "CDRs"). It sends each partner's oldest open entry when
 * it is due, backs off exponentially with jitter after a failure, and moves entries that stayed
 * undeliverable longer than `outboxDeadAfterMs` to 'dead' for the operator (`oioi outbox`).
 */
import { performance } from 'node:perf_hooks';
import { isSuccess, type CallName } from '../../protocol/index.js';
import type { OutboxEntry } from '../../storage/outbox.js';
import { isOioiClientError, OioiClient } from '../../transport/client/index.js';
import type { HubContext, HubWorker } from '../context.js';
import { observeSend } from '../events.js';
import { withoutSecrets } from '../redact.js';

/**
 * Most entries of one partner sent back to back, and longest time a round goes on chaining, before
 * the worker reads every partner's head again: a partner whose head fell due meanwhile waits no
 * longer behind a busy one than it did when each round sent one entry per partner (one send).
 */
const CHAIN_LIMIT = 256;
const CHAIN_MS = 50;

export interface OutboxWorkerOptions {
  /** How often to look for due entries without a wake-up (other processes retry entries too). */
  pollMs?: number;
  /** Most entries sent at once (one per partner). */
  batch?: number;
  random?: () => number;
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
export function startOutboxWorker(ctx: HubContext, { pollMs = 1000, batch = 32, random = Math.random }: OutboxWorkerOptions = {}): HubWorker & { wake(): void } {
  const { storage, config, log } = ctx;
  const sendTimeoutMs = Math.min(config.upstreamTimeoutMs, OUTBOX_SEND_LIMIT_MS);
  const leaseMs = sendTimeoutMs + OUTBOX_LEASE_MARGIN_MS;
  const clients = new Map<number, { url: string; apiKey: string; client: OioiClient }>();
  let stopped = false;
  let running: Promise<void> | undefined;
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

  async function fail(e: OutboxEntry, error: string, code?: number): Promise<void> {
    const now = ctx.now().getTime();
    const age = now - (e.retriedAt ?? e.createdAt);
    const dead = age >= config.outboxDeadAfterMs;
    const nextAttemptAt = now + retryDelay(e.attempts + 1, config.outboxMinDelayMs, config.outboxMaxDelayMs, random);
    await storage.outbox.markFailed(e.id, { error, ...(code === undefined ? {} : { code }), nextAttemptAt, dead });
    log[dead ? 'error' : 'warn']({ msg: dead ? 'outbox entry dead' : 'outbox delivery failed', id: e.id, partner: e.partnerId, call: e.call, error });
  }

  /**
   * "Delivered" marks not yet committed. A mark is queued as soon as the partner's success answer
   * came, and the partner's next entry is sent without waiting for that mark's commit: the marks
   * of one turn then share one transaction (often with the CDR writes of that turn) instead of
   * costing a commit and an fsync wait per delivery. A crash before a mark is durable re-sends that
   * entry (and any later one of the partner sent meanwhile) in order: at least once, never lost.
   * `run` waits for every mark before it reads the heads again, so `due` never answers an entry
   * already delivered by this process.
   */
  let marks: Array<Promise<void>> = [];
  let markError = false;

  /**
   * Sends `e` and records the outcome; resolves true when the partner took it (its delivered mark
   * is queued, see `marks`), false when it failed (the failure is recorded before resolving).
   */
  async function deliver(e: OutboxEntry): Promise<boolean> {
    const partner = ctx.auth.partner(e.partnerId);
    if (!partner) return fail(e, `partner ${e.partnerId} no longer exists`).then(() => false);
    if (!partner.endpoint?.url) return fail(e, `partner ${e.partnerId} (${partner.name}) has no endpoint: set one with oioi partner, then oioi outbox retry`).then(() => false);
    let answer: { result: { code: number; message: string }; httpStatus: number };
    try {
      const client = clientFor(partner.id, partner.endpoint.url, partner.endpoint.apiKey);
      // An engine that has the payload's stored JSON at hand (`payloadJson`) spares parsing and serializing it again.
      const { payloadJson } = e;
      const opts = payloadJson === undefined ? { timeoutMs: sendTimeoutMs } : { timeoutMs: sendTimeoutMs, payloadJson };
      answer = (await observeSend(ctx.events, e.call, partner, client.send(e.call as CallName, (payloadJson === undefined ? e.payload : undefined) as never, opts))) as never;
    } catch (err) {
      const what = isOioiClientError(err) ? `${err.kind}: ${err.message}` : String((err as Error)?.message ?? err);
      await fail(e, what);
      return false;
    }
    const code = answer.result.code;
    // Delivered means a success code in a non-error HTTP answer: a 5xx claiming success is a failure.
    if (answer.httpStatus >= 400) {
      await fail(e, `partner answered ${code} with HTTP ${answer.httpStatus}: ${withoutSecrets(answer.result.message, partner.endpoint.apiKey)}`, code);
      return false;
    }
    if (!isSuccess(code)) {
      await fail(e, `partner answered ${code}: ${withoutSecrets(answer.result.message, partner.endpoint.apiKey)}`, code);
      return false;
    }
    marks.push(
      storage.outbox.markDelivered(e.id, ctx.now().getTime(), code).catch((err) => {
        markError = true;
        log.error({ msg: 'outbox: cannot record outcome', id: e.id, error: String(err?.message ?? err) });
      }),
    );
    log.info({ msg: 'outbox delivered', id: e.id, partner: e.partnerId, call: e.call, code });
    return true;
  }

  /**
   * Delivers `head`, then, where the engine offers `nextAfter`, the partner's following entries
   * one after the other, each only after the previous one's success answer (order per partner),
   * until one fails, none is due, CHAIN_LIMIT or CHAIN_MS.
   */
  async function deliverChain(head: OutboxEntry, roundStart: number): Promise<void> {
    const next = storage.outbox.nextAfter?.bind(storage.outbox);
    let e: OutboxEntry | undefined = head;
    for (let n = 1; e; n++) {
      if (!(await deliver(e)) || !next || n >= CHAIN_LIMIT || stopped || markError || performance.now() - roundStart > CHAIN_MS) return;
      e = await next(e.partnerId, e.id, ctx.now().getTime());
    }
  }

  /** Waits until every queued delivered mark is committed (or failed and logged). */
  async function settleMarks(): Promise<void> {
    while (marks.length) {
      const pending = marks;
      marks = [];
      await Promise.all(pending);
    }
    markError = false;
  }

  /** Sends due entries until none is left, then sleeps until the next one is due or a wake-up. */
  async function run(): Promise<void> {
    do {
      again = false;
      let due: OutboxEntry[];
      try {
        due = await storage.outbox.due(ctx.now().getTime(), batch, leaseMs);
      } catch (err) {
        log.error({ msg: 'outbox: cannot read due entries', error: String((err as Error)?.message ?? err) });
        break;
      }
      if (due.length === 0) break;
      const roundStart = performance.now();
      await Promise.all(due.map((e) => deliverChain(e, roundStart).catch((err) => log.error({ msg: 'outbox: cannot record outcome', id: e.id, error: String(err?.message ?? err) }))));
      await settleMarks();
      again = true; // the next entry of each partner may be due right away
    } while (!stopped && again);
  }

  function kick(): void {
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    clearTimeout(timer);
    running = run().finally(() => {
      running = undefined;
      if (stopped) return;
      if (again) kick();
      else timer = setTimeout(kick, pollMs);
    });
  }

  const unsubscribe = storage.outbox.onEnqueue(kick);
  kick();
  return {
    wake: kick,
    async stop() {
      stopped = true;
      unsubscribe();
      clearTimeout(timer);
      await running; // an in-flight send finishes and its outcome is recorded
      for (const c of clients.values()) c.client.close();
    },
  };
}
