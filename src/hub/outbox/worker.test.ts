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
import { holdsPartner, retryDelay, startOutboxWorker } from './worker.js';

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
    // The first process: the partner takes the first entry, but its mark is lost (the process dies before the commit).
    const lost = { ...ctx, storage: { ...storage, outbox: Object.assign(Object.create(storage.outbox), { markDelivered: () => new Promise<void>(() => {}) }) } } as HubContext;
    const first = startOutboxWorker(lost, { pollMs: 60_000 });
    await until(() => partner.received.some((r) => r.payload?.crash === 1));
    await new Promise((r) => setTimeout(r, 50));
    void first; // never stopped cleanly: it waits for a mark that never comes, as a dead process would
    assert.deepEqual(partner.received.filter((r) => r.payload?.crash !== undefined).map((r) => r.payload.crash), [1], 'nothing after an entry whose outcome is not recorded');
    assert.deepEqual((await storage.outbox.list({ partnerId: withEndpoint.id })).filter((e) => queue.includes(e.id)).map((e) => e.state), ['pending', 'pending', 'pending']);
    // The restarted process sends it again, then the rest, in order, and marks them.
    const second = startOutboxWorker(ctx, { pollMs: 60_000 });
    try {
      await until(async () => (await storage.outbox.list({ partnerId: withEndpoint.id })).filter((e) => queue.includes(e.id)).every((e) => e.state === 'delivered'));
      assert.deepEqual(partner.received.filter((r) => r.payload?.crash !== undefined).map((r) => r.payload.crash), [1, 1, 2, 3]);
    } finally {
      await second.stop();
    }
  });

  it('should send a partner\'s sessions side by side, at most `perPartner` at once, each session\'s versions in order', async () => {
    // Twelve sessions, the first three with two versions each (the second queued while the first is open).
    const sessions = Array.from({ length: 12 }, (_, i) => `wide-${i}`);
    const items = [...sessions, ...sessions.slice(0, 3)].map((subject, n) => ({ partnerId: withEndpoint.id, call: 'api-minimum-version-number', payload: { wide: subject, n }, subject }));
    let inFlight = 0;
    let most = 0;
    partner.respond((r) => {
      if (r.payload?.wide === undefined) return { result: { code: 0, message: 'Success.' } };
      most = Math.max(most, ++inFlight);
      return new Promise((res) => setTimeout(() => { inFlight--; res({ result: { code: 0, message: 'Success.' } }); }, 20));
    });
    const queue = await storage.outbox.enqueue(items, clock);
    const worker = startOutboxWorker(ctx, { pollMs: 60_000, perPartner: 4 });
    try {
      await until(async () => (await storage.outbox.list({ partnerId: withEndpoint.id })).filter((e) => queue.includes(e.id)).every((e) => e.state === 'delivered'));
      assert.equal(most, 4, 'four in flight at once, never more');
      const sent = partner.received.filter((r) => r.payload?.wide !== undefined).map((r) => r.payload as { wide: string; n: number });
      assert.equal(sent.length, 15);
      for (const s of sessions.slice(0, 3)) {
        const versions = sent.filter((x) => x.wide === s).map((x) => x.n);
        assert.deepEqual(versions, [...versions].sort((x, y) => x - y), `${s} in order`);
      }
    } finally {
      await worker.stop();
      partner.respond(() => ({ result: { code: 0, message: 'Success.' } }));
    }
  });

  it('should let a refused entry hold back only its own session, and a failure of the partner hold back everything behind one probe', async () => {
    const subjects = ['hold-1', 'hold-2', 'hold-3', 'hold-4', 'hold-5', 'hold-6'];
    let mode: 'refuse-first' | 'down' | 'up' = 'refuse-first';
    partner.respond((r) => {
      if (r.payload?.hold === undefined) return { result: { code: 0, message: 'Success.' } };
      if (mode === 'down') return { status: 503, body: { result: { code: 300, message: 'down for maintenance' } } };
      if (mode === 'refuse-first' && r.payload.hold === 'hold-1') return { status: 400, body: { result: { code: 230, message: 'bad record' } } };
      return { result: { code: 0, message: 'Success.' } };
    });
    const sent = () => partner.received.filter((r) => r.payload?.hold !== undefined).map((r) => r.payload.hold as string);
    const entries = async () => (await storage.outbox.list({ partnerId: withEndpoint.id })).filter((e) => subjects.includes(e.subject ?? ''));
    const worker = startOutboxWorker(ctx, { pollMs: 20, perPartner: 2, random: () => 1 });
    try {
      await storage.outbox.enqueue(subjects.slice(0, 3).map((subject) => ({ partnerId: withEndpoint.id, call: 'api-minimum-version-number', payload: { hold: subject }, subject })), clock);
      await until(async () => (await entries()).filter((e) => e.state === 'delivered').length === 2);
      const refused = (await entries()).find((e) => e.subject === 'hold-1')!;
      assert.deepEqual([refused.state, refused.lastCode, refused.holdsPartner], ['failing', 230, undefined], 'hold-1 refused on its merits, hold-2 and hold-3 delivered meanwhile');
      // The partner goes down: the next entries fail holding its queue, and only one goes out per back-off.
      mode = 'down';
      await storage.outbox.enqueue(subjects.slice(3).map((subject) => ({ partnerId: withEndpoint.id, call: 'api-minimum-version-number', payload: { hold: subject }, subject })), clock);
      await until(async () => (await entries()).some((e) => e.holdsPartner));
      await new Promise((r) => setTimeout(r, 100));
      const before = sent().length;
      assert.ok(before <= 3 + 2, `at most one round went out before the partner held its queue (${sent().join(', ')})`);
      clock += 1000; // hold-1's back-off is over too, but it waits behind the probe
      await until(() => sent().length === before + 1);
      await new Promise((r) => setTimeout(r, 100));
      assert.equal(sent().length, before + 1, 'only the probe');
      assert.equal((await entries()).filter((e) => e.holdsPartner).sort((x, y) => x.id - y.id)[0]?.attempts, 2, 'the oldest holding entry is the probe');
      // Back up: the probe gets through, and what waited behind it follows.
      mode = 'up';
      clock += 2000;
      await until(async () => (await entries()).every((e) => e.state === 'delivered'));
      assert.deepEqual((await entries()).filter((e) => e.holdsPartner), []);
    } finally {
      await worker.stop();
      partner.respond(() => ({ result: { code: 0, message: 'Success.' } }));
    }
  });

  it('should not keep a partner waiting while another partner\'s send hangs', async () => {
    const slow = await storage.partners.add({ name: 'slow', roles: ['emp'], partnerIdentifiers: ['emp-identifier-0000003'], evcoPrefixes: [], rfidAuth: 'none', receivesCdrs: true, endpoint: { url: partner.url, apiKey: 'k-slow' } });
    partners.set(slow.id, slow);
    partner.respond((r) => new Promise((res) => setTimeout(() => res({ result: { code: 0, message: 'Success.' } }), r.apiKey === 'k-slow' ? 600 : 0)));
    const worker = startOutboxWorker(ctx, { pollMs: 60_000 });
    try {
      await storage.outbox.enqueue([{ partnerId: slow.id, call: 'api-minimum-version-number', payload: { hang: true } }], clock);
      await partner.waitFor('api-minimum-version-number', 3000, (r) => r.payload?.hang === true);
      const start = Date.now();
      const [quick] = await storage.outbox.enqueue([1, 2, 3].map((n) => ({ partnerId: withEndpoint.id, call: 'api-minimum-version-number', payload: { quick: n } })), clock);
      await partner.waitFor('api-minimum-version-number', 3000, (r) => r.payload?.quick === 3);
      assert.ok(Date.now() - start < 300, `waited ${Date.now() - start} ms behind the slow partner`);
      assert.ok((await storage.outbox.list({ partnerId: withEndpoint.id })).some((e) => e.id === quick));
    } finally {
      await worker.stop();
      partner.respond(() => ({ result: { code: 0, message: 'Success.' } }));
    }
  });

  it('should tell a failure of the partner from a refusal of one entry', () => {
    for (const f of [{}, { httpStatus: 503, code: 0 }, { httpStatus: 429, code: 0 }, { httpStatus: 401, code: 210 }, { httpStatus: 404, code: 0 }, { httpStatus: 200, code: 210 }, { httpStatus: 200, code: 100 }, { httpStatus: 200, code: 300 }, { httpStatus: 200, code: 402 }]) {
      assert.equal(holdsPartner(f), true, JSON.stringify(f));
    }
    for (const f of [{ httpStatus: 400, code: 230 }, { httpStatus: 200, code: 181 }, { httpStatus: 200, code: 191 }, { httpStatus: 400, code: 200 }, { httpStatus: 200, code: 320 }]) {
      assert.equal(holdsPartner(f), false, JSON.stringify(f));
    }
  });

  it('should not scan every queue when rows come for a partner whose lane is busy, and still deliver them all', async () => {
    const second = await storage.partners.add({ name: 'emp3', roles: ['emp'], partnerIdentifiers: ['emp-stream-identifier-1'], evcoPrefixes: [], rfidAuth: 'none', receivesCdrs: true, endpoint: { url: partner.url, apiKey: 'k-second' } });
    partners.set(second.id, second);
    partner.respond(() => new Promise((res) => setTimeout(() => res({ result: { code: 0, message: 'Success.' } }), 15)));
    // A spy on the real storage's `due`: how often the worker looks at every partner's queue.
    const due = storage.outbox.due.bind(storage.outbox);
    let scans = 0;
    storage.outbox.due = (now, limit, leaseMs, options) => {
      if (options?.partner === undefined) scans++;
      return due(now, limit, leaseMs, options);
    };
    const worker = startOutboxWorker(ctx, { pollMs: 60_000, perPartner: 1 });
    try {
      const ids: number[] = [];
      const item = (n: number) => ({ partnerId: withEndpoint.id, call: 'api-minimum-version-number', payload: { stream: n } });
      ids.push(...(await storage.outbox.enqueue([item(0)], clock)));
      await partner.waitFor('api-minimum-version-number', 3000, (r) => r.payload?.stream === 0);
      const before = scans;
      // One commit per row, as CDRs come, while the partner's lane sends one at a time.
      for (let n = 1; n <= 30; n++) ids.push(...(await storage.outbox.enqueue([item(n)], clock)));
      const during = scans - before;
      assert.ok(during <= 2, `${during} scans of every queue for 30 rows of a partner with a lane`);
      // A partner without a lane is still looked at at once (no poll for a minute).
      await storage.outbox.enqueue([{ partnerId: second.id, call: 'api-minimum-version-number', payload: { second: true } }], clock);
      await partner.waitFor('api-minimum-version-number', 3000, (r) => r.payload?.second === true);
      // Every row is delivered, the last ones too, though no signal woke anyone for them.
      await until(async () => (await storage.outbox.list({ partnerId: withEndpoint.id })).filter((e) => ids.includes(e.id)).every((e) => e.state === 'delivered'));
      const sent = partner.received.filter((r) => r.payload?.stream !== undefined).map((r) => (r.payload as { stream: number }).stream);
      assert.deepEqual(sent, Array.from({ length: 31 }, (_, n) => n), 'each row once, in order');
    } finally {
      await worker.stop();
      storage.outbox.due = due;
      partner.respond(() => ({ result: { code: 0, message: 'Success.' } }));
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
