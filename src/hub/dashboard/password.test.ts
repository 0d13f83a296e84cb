import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DUMMY_HASH, generatePassword, hashPassword, verifyPassword } from './password.js';

describe('operator passwords', () => {
  it('should verify the right password and refuse a wrong one', async () => {
    const stored = await hashPassword('correct horse battery staple');
    assert.match(stored, /^scrypt\$16384\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    assert.equal(await verifyPassword('correct horse battery staple', stored), true);
    assert.equal(await verifyPassword('correct horse battery stapl', stored), false);
    assert.equal(await verifyPassword('', stored), false);
  });

  it('should salt every hash', async () => {
    const [a, b] = await Promise.all([hashPassword('same'), hashPassword('same')]);
    assert.notEqual(a, b);
    assert.equal(await verifyPassword('same', a), true);
    assert.equal(await verifyPassword('same', b), true);
  });

  it('should refuse malformed stored hashes instead of throwing', async () => {
    for (const stored of ['', 'plain', 'scrypt$x$8$1$AAAA$BBBB', 'bcrypt$16384$8$1$AAAA$BBBB', 'scrypt$16384$8$1$AAAA$']) {
      assert.equal(await verifyPassword('pw', stored), false, stored);
    }
    assert.equal(await verifyPassword('pw', DUMMY_HASH), false);
  });

  it('should generate long random passwords', () => {
    const a = generatePassword();
    assert.match(a, /^[A-Za-z0-9_-]{22}$/);
    assert.notEqual(a, generatePassword());
  });
});
