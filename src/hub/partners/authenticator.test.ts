/** The hub's key check: cached after a first match, yet a wrong or revoked secret is never let in. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { openStorage } from '../../storage/index.js';
import { startAuthenticator } from './authenticator.js';
import { addPartner, revokeKey } from './partner-service.js';

describe('authenticator', () => {
  it('should accept a key again from its cache, refuse a wrong secret with the same id, and forget a revoked key', async () => {
    const storage = await openStorage('sqlite::memory:');
    const auth = await startAuthenticator(storage, { refreshMs: 60_000 });
    try {
      const { apiKey } = await addPartner(storage, { name: 'CPO', roles: ['cpo'] });
      await auth.reload();
      assert.equal(auth.authenticate(apiKey)?.name, 'CPO');
      assert.equal(auth.authenticate(apiKey)?.name, 'CPO', 'the cached match');
      const wrong = apiKey.slice(0, -1) + (apiKey.endsWith('A') ? 'B' : 'A');
      assert.equal(auth.authenticate(wrong), undefined, 'same key id, other secret');
      const shorter = apiKey.slice(0, -1);
      assert.equal(auth.authenticate(shorter), undefined, 'a prefix of the secret');
      assert.equal(auth.authenticate(apiKey)?.name, 'CPO');
      assert.equal(await revokeKey(storage, apiKey), true);
      await auth.reload();
      assert.equal(auth.authenticate(apiKey), undefined, 'revoked: the cache went with the reload');
    } finally {
      auth.stop();
      await storage.close();
    }
  });
});
