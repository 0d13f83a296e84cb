import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { openCpoDb } from './store.js';
import { cachedPositive, cachePositive, isWhitelisted, replaceWhitelist, uidOfIdTag, whitelistUids, whitelistVersion } from './whitelist.js';

describe('whitelist', () => {
  it('should replace the whole list, count the new UIDs and raise the version', () => {
    const db = openCpoDb(':memory:');
    assert.equal(whitelistVersion(db), 0);
    assert.deepEqual(replaceWhitelist(db, ['0A0A0A0A', '0B0B0B0B']), { processed: 2, version: 1 });
    assert.deepEqual(replaceWhitelist(db, ['0B0B0B0B', '0C0C0C0C', '0C0C0C0C']), { processed: 1, version: 2 });
    assert.deepEqual(whitelistUids(db), ['0B0B0B0B', '0C0C0C0C']);
    assert.equal(isWhitelisted(db, '0A0A0A0A'), false, 'a card left out of the new list is gone');
    assert.equal(isWhitelisted(db, '0C0C0C0C'), true);
    assert.deepEqual(replaceWhitelist(db, []), { processed: 0, version: 3 });
    assert.deepEqual(whitelistUids(db), []);
  });

  it('should trust a cached positive answer only until it expires', () => {
    const db = openCpoDb(':memory:');
    cachePositive(db, '0A0A0A0A', 'DE*EMP*000001*2', 1000);
    assert.deepEqual(cachedPositive(db, '0A0A0A0A', 999), { evcoId: 'DE*EMP*000001*2' });
    assert.equal(cachedPositive(db, '0A0A0A0A', 1000), undefined);
  });

  it('should read idTags as UIDs only when they are card numbers', () => {
    assert.equal(uidOfIdTag('a1b2c3d4'), 'A1B2C3D4');
    assert.equal(uidOfIdTag('abc'), '00000ABC');
    assert.equal(uidOfIdTag('NOT-A-CARD'), undefined);
    assert.equal(uidOfIdTag('0123456789ABCDEF01234'), undefined, 'longer than 20');
  });
});
