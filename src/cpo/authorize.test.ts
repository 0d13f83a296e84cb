import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { silentLogger } from '../transport/server/index.js';
import { OioiClient } from '../transport/client/index.js';
import { startMockPartner } from '../../test/support/http.js';
import { authorizer } from './authorize.js';
import { openCpoDb } from './store.js';
import { replaceWhitelist } from './whitelist.js';

describe('authorizer', () => {
  it('should answer from the whitelist, then the cache, then the hub, and map the hub\'s codes', async () => {
    const answers: Record<string, unknown> = {
      '0000AAAA': { result: { code: 0, message: 'ok' }, 'evco-id': 'DE*EMP*000001*2' },
      '0000BBBB': { result: { code: 192, message: 'locked' } },
      '0000CCCC': { result: { code: 191, message: 'unknown' } },
    };
    const hub = await startMockPartner((r) => answers[r.payload.rfid]);
    const db = openCpoDb(':memory:');
    const client = new OioiClient({ url: hub.url, apiKey: 'k', retry: false });
    let now = 1_000_000;
    const decide = authorizer({ db, client, log: silentLogger, cacheMs: 60_000, timeoutMs: 2000, now: () => now });
    replaceWhitelist(db, ['0000DDDD']);
    const asked = () => hub.received.length;

    assert.deepEqual(await decide('0000dddd'), { status: 'Accepted', uid: '0000DDDD', via: 'whitelist' });
    assert.equal(asked(), 0);
    assert.deepEqual(await decide('AAAA'), { status: 'Accepted', uid: '0000AAAA', via: 'hub', evcoId: 'DE*EMP*000001*2' });
    assert.equal((await decide('0000AAAA')).via, 'cache');
    assert.equal(asked(), 1, 'a cached answer is not asked again');
    now += 60_001;
    assert.equal((await decide('0000AAAA')).via, 'hub', 'an expired answer is asked again');
    assert.equal((await decide('0000BBBB')).status, 'Blocked');
    assert.equal((await decide('0000CCCC')).status, 'Invalid');
    const before = asked();
    assert.deepEqual(await decide('USER-42'), { status: 'Invalid', uid: undefined, via: 'none' });
    assert.equal(asked(), before, 'an idTag that is no card number is not sent to the hub');
    client.close();
    await hub.close();

    const down = new OioiClient({ url: 'http://127.0.0.1:1/api/v4/request', apiKey: 'k', retry: false, timeoutMs: 300 });
    const offline = authorizer({ db, client: down, log: silentLogger, cacheMs: 60_000, timeoutMs: 300, now: () => now });
    assert.equal((await offline('0000EEEE')).status, 'Invalid', 'an unreachable hub authorizes nobody new');
    assert.equal((await offline('0000DDDD')).status, 'Accepted', 'the whitelist still works');
    down.close();
  });
});
