import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type http from 'node:http';
import { openSqliteStorage } from '../../storage/sqlite/index.js';
import type { Storage } from '../../storage/index.js';
import { cookieToken, sessionCookie, Sessions, SESSION_TTL_MS, tokenHash } from './session.js';

const request = (cookie?: string) => ({ headers: cookie === undefined ? {} : { cookie } }) as http.IncomingMessage;

describe('dashboard sessions', () => {
  let storage: Storage;
  let now = Date.parse('2026-01-01T00:00:00Z');
  let sessions: Sessions;

  before(async () => {
    storage = await openSqliteStorage('sqlite::memory:');
    sessions = new Sessions(storage.operators, () => now);
  });
  after(() => storage.close());

  it('should read the session cookie among others and ignore malformed values', () => {
    const token = 'a'.repeat(43);
    assert.equal(cookieToken(`theme=dark; oioi_dash=${token}; x=1`), token);
    assert.equal(cookieToken(`oioi_dash=${token}`), token);
    assert.equal(cookieToken('oioi_dash=short'), undefined);
    assert.equal(cookieToken('oioi_dash=bad value with spaces and more than twenty'), undefined);
    assert.equal(cookieToken('other=1'), undefined);
    assert.equal(cookieToken(undefined), undefined);
  });

  it('should set a host-only HttpOnly SameSite=Strict cookie on /dashboard, Secure over https', () => {
    assert.equal(sessionCookie('tok', false), `oioi_dash=tok; HttpOnly; SameSite=Strict; Path=/dashboard; Max-Age=${SESSION_TTL_MS / 1000}`);
    assert.match(sessionCookie('tok', true), /; Secure$/);
  });

  it('should keep a session for 12 hours and not a moment longer', async () => {
    const op = (await storage.operators.add('olga', 'scrypt$1$1$1$AA==$AA=='))!;
    const token = await sessions.start(op);
    assert.equal((await sessions.operatorOf(request(`oioi_dash=${token}`)))?.name, 'olga');
    now += SESSION_TTL_MS - 1;
    assert.equal((await sessions.operatorOf(request(`oioi_dash=${token}`)))?.name, 'olga');
    now += 1;
    assert.equal(await sessions.operatorOf(request(`oioi_dash=${token}`)), undefined);
  });

  it('should store only a hash of the token and forget it on logout', async () => {
    const op = (await storage.operators.add('piet', 'scrypt$1$1$1$AA==$AA=='))!;
    const token = await sessions.start(op);
    assert.equal(await storage.operators.session(token, now), undefined, 'the raw token is no key');
    assert.ok(await storage.operators.session(tokenHash(token), now));
    await sessions.end(request(`oioi_dash=${token}`));
    assert.equal(await sessions.operatorOf(request(`oioi_dash=${token}`)), undefined);
    assert.equal(await sessions.operatorOf(request()), undefined);
  });
});
