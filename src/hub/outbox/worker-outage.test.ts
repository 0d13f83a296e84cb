/**
 * The outbox worker through partner outages of days, on a fake clock: a real SQLite file and a
 * real HTTP partner, only time is simulated (docs/reliability.md, "Delivery").
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { join } from 'node:path';
import { tempDir } from '../../../test/support/cli.js';
import { startMockPartner, type MockPartner } from '../../../test/support/http.js';
import { openSqliteStorage } from '../../storage/sqlite/index.js';
import type { OutboxEntry } from '../../storage/outbox.js';
import type { PartnerRecord } from '../../storage/index.js';
import { silentLogger } from '../../transport/server/index.js';
import { defaultHubConfig, type HubConfig, type HubContext } from '../context.js';
import { startOutboxWorker } from './worker.js';

const HOUR = 3600_000;
const DAY = 24 * HOUR;
const down = () => ({ status: 503, body: { result: { code: 100, message: 'down for maintenance' } } });
const up = () => ({ result: { code: 0, message: 'Success.' } });

/** A small deterministic generator, so the jitter is real but the run repeatable. */
function seeded(seed: number): () => number {
  let s = seed;
  return () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
}

async function until<T>(check: () => Promise<T | undefined | false>, what: string, ms = 5000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > end) throw new Error(`${what}: not met in time`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('outbox worker over long outages', () => {
  const tmp = tempDir();
  let storage: Awaited<ReturnType<typeof openSqliteStorage>>;
  let partner: MockPartner;
  let emp: PartnerRecord;
  let clock = Date.UTC(2026, 0, 5);

  before(async () => {
    storage = await openSqliteStorage(`sqlite:${join(tmp.dir, 'outage.db')}`);
    partner = await startMockPartner(down);
    emp = await storage.partners.add({ name: 'emp', roles: ['emp'], partnerIdentifiers: ['emp-identifier-0000001'], evcoPrefixes: [], rfidAuth: 'none', receivesCdrs: true, endpoint: { url: partner.url, apiKey: 'k' } });
  });
  after(async () => {
    await partner.close();
    await storage.close();
    tmp.remove();
  });

  function context(config: Partial<HubConfig>): HubContext {
    return {
      storage,
      config: { ...defaultHubConfig, upstreamTimeoutMs: 2000, ...config },
      auth: { partner: (id: number) => (id === emp.id ? emp : undefined), partners: () => [emp] } as never,
      log: silentLogger,
      now: () => new Date(clock),
    };
  }
  const entry = async (id: number) => (await storage.outbox.list({ partnerId: emp.id })).find((e) => e.id === id)!;
  const enqueue = async (subject: string) => (await storage.outbox.enqueue([{ partnerId: emp.id, call: 'session-post', payload: { 'session-id': subject }, subject }], clock))[0]!;
  /** Waits for the worker's next verdict on an entry (a failure, or its end). */
  const nextVerdict = (id: number, attempts: number) => until(async () => { const e = await entry(id); return e.attempts > attempts || e.state === 'delivered' || e.state === 'dead' ? e : undefined; }, `entry ${id} after attempt ${attempts}`);

  it('should back off up to the cap through a two-day outage and then deliver everything once, the held entry first', async () => {
    const maxMs = 2 * HOUR;
    const worker = startOutboxWorker(context({ outboxMinDelayMs: 1000, outboxMaxDelayMs: maxMs }), { pollMs: 5, random: seeded(7) });
    try {
      const start = clock;
      const first = await enqueue('S-1');
      const later: number[] = [];
      // Attempts counted from 0: the worker is woken at COMMIT and may have tried once already by
      // the time enqueue() resolves (it resolves after the WAL fsync).
      let e: OutboxEntry = { ...(await entry(first)), attempts: 0 };
      const delays: number[] = [];
      while (clock - start < 2 * DAY) {
        e = await nextVerdict(first, e.attempts);
        assert.equal(e.state, 'failing');
        delays.push(e.nextAttemptAt - clock);
        // Now and then the CPO sends more CDRs: they queue behind the first one.
        if (later.length < 3 && delays.length % 10 === 0) later.push(await enqueue(`S-${later.length + 2}`));
        clock = e.nextAttemptAt;
      }
      assert.equal(later.length, 3);
      for (const [n, d] of delays.entries()) {
        const base = Math.min(maxMs, 1000 * 2 ** n);
        assert.ok(d >= base / 2 && d <= base, `delay ${n + 1} is ${d} ms, expected within [${base / 2}, ${base}]`);
      }
      assert.ok(delays.length < 2 * DAY / (maxMs / 2) + 14, `${delays.length} attempts in two days: the cap holds`);
      assert.ok(partner.received.every((r) => r.payload['session-id'] === 'S-1'), 'nothing behind the first entry was sent during the outage');

      partner.respond(up);
      const sentBefore = partner.received.length;
      clock = e.nextAttemptAt;
      await until(async () => (await storage.outbox.list({ partnerId: emp.id, state: 'delivered' })).length === 4 || undefined, 'all delivered');
      // S-1 first (it held the partner's queue); the three sessions behind it then go side by side.
      const sent = partner.received.slice(sentBefore).map((r) => r.payload['session-id']);
      assert.deepEqual([sent[0], ...sent.slice(1).sort()], ['S-1', 'S-2', 'S-3', 'S-4']);
      assert.equal((await entry(first)).attempts, delays.length + 1);
    } finally {
      await worker.stop();
    }
  });

  it('should move an entry to dead once it is older than the configured age, let the next ones pass, and deliver it after a retry', async () => {
    partner.respond(down);
    const deadAfter = 3 * DAY;
    const worker = startOutboxWorker(context({ outboxMinDelayMs: 1000, outboxMaxDelayMs: 6 * HOUR, outboxDeadAfterMs: deadAfter }), { pollMs: 5, random: seeded(11) });
    try {
      const created = clock;
      const old = await enqueue('D-1');
      let e = { ...(await entry(old)), attempts: 0 }; // see the first test
      for (;;) {
        const failedAt = clock;
        e = await nextVerdict(old, e.attempts);
        if (e.state === 'dead') {
          assert.ok(failedAt - created >= deadAfter, 'dead only once older than --outbox-dead-after');
          break;
        }
        assert.equal(e.state, 'failing');
        assert.ok(failedAt - created < deadAfter, `still failing at age ${(failedAt - created) / HOUR} h`);
        clock = e.nextAttemptAt;
      }
      assert.match(e.lastError!, /answered 100 with HTTP 503/);
      // Up before the next entry exists: the worker may try it the moment it is committed, and the
      // fake clock would never make a failed first try due again.
      partner.respond(up);
      const fresh = await enqueue('D-2');
      await until(async () => (await entry(fresh)).state === 'delivered', 'the next entry passes the dead one');
      assert.equal((await entry(old)).state, 'dead', 'a dead entry waits for the operator');

      assert.equal(await storage.outbox.retry('dead', clock), 1);
      worker.wake();
      const back = await until(async () => { const x = await entry(old); return x.state === 'delivered' ? x : undefined; }, 'the retried entry is delivered');
      assert.equal(back.attempts, 1, 'attempts restart after an operator retry');
      assert.deepEqual(partner.received.slice(-2).map((r) => r.payload['session-id']), ['D-2', 'D-1']);
    } finally {
      await worker.stop();
    }
  });
});
