import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../transport/server/index.js';
import { OioiClient } from '../transport/client/index.js';
import { startMockPartner } from '../../test/support/http.js';
import { CpoOutbox } from './outbox.js';
import { openCpoDb } from './store.js';

const PID = 'P'.repeat(32);
const status = (n: number) => ({ 'connector-id': `DE*GWY*E${n}`, status: 'Available' as const, 'partner-identifier': PID });
const until = async (check: () => boolean, ms = 5000) => {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met');
    await new Promise((r) => setTimeout(r, 10));
  }
};

describe('CpoOutbox', () => {
  const dir = mkdtempSync(join(tmpdir(), 'oioi-cpo-outbox-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('should deliver in order, holding the queue while the hub answers 503, and park a refused message', async () => {
    let failures = 2;
    const hub = await startMockPartner((r) => {
      if (r.payload['connector-id'] === 'DE*GWY*E1' && failures-- > 0) return { status: 503, body: { result: { code: 100, message: 'busy' } } };
      if (r.payload['connector-id'] === 'DE*GWY*E2') return { status: 400, body: { result: { code: 230, message: 'bad' } } };
      return { result: { code: 0, message: 'Success.' } };
    });
    const db = openCpoDb(':memory:');
    const client = new OioiClient({ url: hub.url, apiKey: 'k', retry: false });
    const outbox = new CpoOutbox({ db, client, log: silentLogger, minDelayMs: 20, maxDelayMs: 50 });
    outbox.start();
    for (const n of [1, 2, 3]) outbox.enqueue('connector-post-status', status(n));
    await until(() => hub.received.some((r) => r.payload['connector-id'] === 'DE*GWY*E3'));
    assert.deepEqual(hub.received.map((r) => r.payload['connector-id']), ['DE*GWY*E1', 'DE*GWY*E1', 'DE*GWY*E1', 'DE*GWY*E2', 'DE*GWY*E3']);
    await until(() => outbox.counts().pending === 0);
    assert.deepEqual(outbox.counts(), { pending: 0, failed: 1 });
    assert.match(db.prepare("SELECT last_error FROM outbox WHERE state = 'failed'").pluck().get() as string, /230/);
    await outbox.stop();
    client.close();
    await hub.close();
  });

  it('should keep undelivered messages across a restart and deliver them on the next start', async () => {
    const file = `sqlite:${join(dir, 'cpo.db')}`;
    const down = new OioiClient({ url: 'http://127.0.0.1:1/api/v4/request', apiKey: 'k', retry: false, timeoutMs: 500 });
    const db1 = openCpoDb(file);
    const first = new CpoOutbox({ db: db1, client: down, log: silentLogger, minDelayMs: 20, maxDelayMs: 50 });
    first.start();
    first.enqueue('connector-post-status', status(7));
    first.enqueue('connector-post-status', status(8));
    await until(() => (db1.prepare('SELECT attempts FROM outbox ORDER BY id LIMIT 1').pluck().get() as number) >= 1);
    await first.stop();
    db1.close();

    const hub = await startMockPartner();
    const db2 = openCpoDb(file);
    const client = new OioiClient({ url: hub.url, apiKey: 'k', retry: false });
    const second = new CpoOutbox({ db: db2, client, log: silentLogger, minDelayMs: 20, maxDelayMs: 50 });
    second.start();
    await until(() => hub.received.length === 2);
    assert.deepEqual(hub.received.map((r) => r.payload['connector-id']), ['DE*GWY*E7', 'DE*GWY*E8']);
    await second.stop();
    db2.close();
    client.close();
    down.close();
    await hub.close();
  });
});
