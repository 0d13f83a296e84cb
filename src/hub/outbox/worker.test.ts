/** The outbox worker against a real SQLite file, a mock partner and a fake clock. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { join } from 'node:path';
import { tempDir } from '../../../test/support/cli.js';
import { startMockPartner, type MockPartner } from '../../../test/support/http.js';
import { openSqliteStorage } from '../../storage/sqlite/index.js';
import type { PartnerRecord } from '../../storage/index.js';
import { silentLogger } from '../../transport/server/index.js';
import { defaultHubConfig, type HubContext } from '../context.js';
import { retryDelay, startOutboxWorker } from './worker.js';

const until = async (check: () => boolean | Promise<boolean>, ms = 5000) => {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe('outbox worker', () => {
  const tmp = tempDir();
  let storage: Awaited<ReturnType<typeof openSqliteStorage>>;
  let partner: MockPartner;
  let clock = 1_000_000;
  const partners = new Map<number, PartnerRecord>();
  let ctx: HubContext;
  let withEndpoint: PartnerRecord;
  let without: PartnerRecord;

  before(async () => {
    storage = await openSqliteStorage(`sqlite:${join(tmp.dir, 'w.db')}`);
    partner = await startMockPartner();
    withEndpoint = await storage.partners.add({ name: 'emp', roles: ['emp'], partnerIdentifiers: ['emp-identifier-0000001'], evcoPrefixes: [], rfidAuth: 'none', receivesCdrs: true, endpoint: { url: partner.url, apiKey: 'k-emp' } });
    without = await storage.partners.add({ name: 'fleet', roles: ['fleet'], partnerIdentifiers: ['fleet-identifier-000001'], evcoPrefixes: [], rfidAuth: 'none', receivesCdrs: true });
    for (const p of [withEndpoint, without]) partners.set(p.id, p);
    ctx = {
      storage,
      config: { ...defaultHubConfig, upstreamTimeoutMs: 300, outboxMinDelayMs: 1000, outboxMaxDelayMs: 8000, outboxDeadAfterMs: 60_000 },
      auth: { partner: (id: number) => partners.get(id), partners: () => [...partners.values()] } as never,
      log: silentLogger,
      now: () => new Date(clock),
    };
  });
  after(async () => {
    await partner.close();
    await storage.close();
    tmp.remove();
  });

  it('should grow the delay exponentially with jitter and cap it', () => {
    assert.equal(retryDelay(1, 1000, 8000, () => 0), 500);
    assert.equal(retryDelay(1, 1000, 8000, () => 1), 1000);
    assert.equal(retryDelay(3, 1000, 8000, () => 1), 4000);
    assert.equal(retryDelay(30, 1000, 8000, () => 1), 8000);
  });

  it('should deliver at once when a write enqueues, with the endpoint key, and record the code', async () => {
    const worker = startOutboxWorker(ctx, { pollMs: 60_000 });
    try {
      const [id] = await storage.outbox.enqueue([{ partnerId: withEndpoint.id, call: 'api-minimum-version-number', payload: {}, subject: 'x' }], clock);
      const got = await partner.waitFor('api-minimum-version-number', 3000);
      assert.equal(got.apiKey, 'k-emp');
      await until(async () => (await storage.outbox.list({ state: 'delivered' })).some((e) => e.id === id));
    } finally {
      await worker.stop();
    }
  });

  it('should keep failing with back-off while the partner errs, then go dead after the configured age', async () => {
    partner.respond(() => ({ status: 503, body: { result: { code: 100, message: 'down' } } }));
    const worker = startOutboxWorker(ctx, { pollMs: 20, random: () => 1 });
    try {
      const [id] = await storage.outbox.enqueue([{ partnerId: withEndpoint.id, call: 'api-minimum-version-number', payload: {} }], clock);
      await until(async () => (await storage.outbox.list({ state: 'failing' })).some((e) => e.id === id));
      const failing = (await storage.outbox.list({ state: 'failing' })).find((e) => e.id === id)!;
      assert.equal(failing.lastCode, 100);
      assert.match(failing.lastError!, /answered 100/);
      assert.equal(failing.nextAttemptAt, clock + 1000);
      clock += 1000; // due again: the second failure waits twice as long
      await until(async () => (await storage.outbox.list({ partnerId: withEndpoint.id })).find((e) => e.id === id)!.attempts === 2);
      assert.equal((await storage.outbox.list({ partnerId: withEndpoint.id })).find((e) => e.id === id)!.nextAttemptAt, clock + 2000);
      clock += 60_000;
      await until(async () => (await storage.outbox.list({ state: 'dead' })).some((e) => e.id === id));
    } finally {
      await worker.stop();
      partner.respond(() => ({ result: { code: 0, message: 'Success.' } }));
    }
  });

  it('should keep an entry for a partner without endpoint failing with a clear error', async () => {
    const worker = startOutboxWorker(ctx, { pollMs: 20 });
    try {
      const [id] = await storage.outbox.enqueue([{ partnerId: without.id, call: 'session-post', payload: {} }], clock);
      await until(async () => (await storage.outbox.list({ state: 'failing' })).some((e) => e.id === id));
      const e = (await storage.outbox.list({ state: 'failing' })).find((x) => x.id === id)!;
      assert.match(e.lastError!, /has no endpoint/);
    } finally {
      await worker.stop();
    }
  });

  it('should finish an in-flight send when stopped', async () => {
    partner.respond(() => ({ delayMs: 150, body: { result: { code: 0, message: 'Success.' } } }));
    const worker = startOutboxWorker(ctx, { pollMs: 60_000 });
    const [id] = await storage.outbox.enqueue([{ partnerId: withEndpoint.id, call: 'api-minimum-version-number', payload: { slow: true } }], clock);
    await partner.waitFor('api-minimum-version-number', 3000, (r) => r.payload?.slow === true);
    await worker.stop();
    assert.ok((await storage.outbox.list({ state: 'delivered' })).some((e) => e.id === id));
    partner.respond(() => ({ result: { code: 0, message: 'Success.' } }));
  });

  it('should send a partner\'s queue back to back in order, each after the previous success, and stop at a failure', async () => {
    const queue = (await storage.outbox.enqueue(
      [1, 2, 3, 4, 5].map((n) => ({ partnerId: withEndpoint.id, call: 'api-minimum-version-number', payload: { chain: n } })),
      clock,
    ));
    const order: number[] = [];
    let inFlight = 0;
    partner.respond((r) => {
      if (r.payload?.chain === undefined) return { result: { code: 0, message: 'Success.' } };
      order.push(r.payload.chain);
      assert.equal(inFlight++, 0, 'one send at a time per partner');
      const answer = r.payload.chain === 4 ? { status: 200, body: { result: { code: 300, message: 'no' } } } : { result: { code: 0, message: 'Success.' } };
      return new Promise((res) => setTimeout(() => { inFlight--; res(answer); }, 2));
    });
    const worker = startOutboxWorker(ctx, { pollMs: 60_000, random: () => 1 });
    try {
      await until(async () => (await storage.outbox.list({ partnerId: withEndpoint.id })).find((e) => e.id === queue[3])!.state === 'failing');
      await new Promise((r) => setTimeout(r, 50));
      assert.deepEqual(order, [1, 2, 3, 4], 'nothing after the failing entry is sent');
      const states = (await storage.outbox.list({ partnerId: withEndpoint.id })).filter((e) => queue.includes(e.id)).sort((a, b) => a.id - b.id).map((e) => e.state);
      assert.deepEqual(states, ['delivered', 'delivered', 'delivered', 'failing', 'pending']);
      clock += 1000; // due again: the rest follows in order
      partner.respond(() => ({ result: { code: 0, message: 'Success.' } }));
      worker.wake();
      await until(async () => (await storage.outbox.list({ partnerId: withEndpoint.id })).filter((e) => queue.includes(e.id)).every((e) => e.state === 'delivered'));
      assert.deepEqual(partner.received.filter((r) => r.payload?.chain !== undefined).map((r) => r.payload.chain), [1, 2, 3, 4, 4, 5]);
    } finally {
      await worker.stop();
      partner.respond(() => ({ result: { code: 0, message: 'Success.' } }));
    }
  });

  it('should re-send, in order, what was delivered but whose delivered mark never committed (a crash in between)', async () => {
    const queue = await storage.outbox.enqueue([1, 2, 3].map((n) => ({ partnerId: withEndpoint.id, call: 'api-minimum-version-number', payload: { crash: n } })), clock);
    // The first process: every delivery answered, but its marks are lost (the process dies before their commit).
    const lost = { ...ctx, storage: { ...storage, outbox: Object.assign(Object.create(storage.outbox), { markDelivered: () => new Promise<void>(() => {}) }) } } as HubContext;
    const first = startOutboxWorker(lost, { pollMs: 60_000 });
    await until(() => partner.received.filter((r) => r.payload?.crash !== undefined).length === 3);
    void first; // never stopped cleanly: it waits for marks that never come, as a dead process would
    assert.deepEqual((await storage.outbox.list({ partnerId: withEndpoint.id })).filter((e) => queue.includes(e.id)).map((e) => e.state), ['pending', 'pending', 'pending']);
    // The restarted process sends them again, in order, and marks them.
    const second = startOutboxWorker(ctx, { pollMs: 60_000 });
    try {
      await until(async () => (await storage.outbox.list({ partnerId: withEndpoint.id })).filter((e) => queue.includes(e.id)).every((e) => e.state === 'delivered'));
      assert.deepEqual(partner.received.filter((r) => r.payload?.crash !== undefined).map((r) => r.payload.crash), [1, 2, 3, 1, 2, 3]);
    } finally {
      await second.stop();
    }
  });

  it('should not keep another partner waiting behind a long queue for more than a short round', async () => {
    const other = await storage.partners.add({ name: 'emp2', roles: ['emp'], partnerIdentifiers: ['emp-identifier-0000002'], evcoPrefixes: [], rfidAuth: 'none', receivesCdrs: true, endpoint: { url: partner.url, apiKey: 'k-other' } });
    partners.set(other.id, other);
    partner.respond((r) => new Promise((res) => setTimeout(() => res({ result: { code: 0, message: 'Success.' } }), r.apiKey === 'k-emp' ? 30 : 0)));
    const worker = startOutboxWorker(ctx, { pollMs: 60_000 });
    try {
      await storage.outbox.enqueue([1, 2, 3, 4, 5, 6, 7, 8].map((n) => ({ partnerId: withEndpoint.id, call: 'api-minimum-version-number', payload: { busy: n } })), clock);
      await partner.waitFor('api-minimum-version-number', 3000, (r) => r.payload?.busy === 1);
      await storage.outbox.enqueue([{ partnerId: other.id, call: 'api-minimum-version-number', payload: { other: true } }], clock);
      await partner.waitFor('api-minimum-version-number', 3000, (r) => r.payload?.other === true);
      const busyBefore = partner.received.filter((r) => r.payload?.busy !== undefined).length;
      assert.ok(busyBefore < 8, `the other partner waited for the whole queue (${busyBefore} sent before it)`);
      await until(async () => (await storage.outbox.list({ partnerId: withEndpoint.id })).filter((e) => (e.payload as { busy?: number }).busy !== undefined).every((e) => e.state === 'delivered'));
    } finally {
      await worker.stop();
      partner.respond(() => ({ result: { code: 0, message: 'Success.' } }));
    }
  });
});
