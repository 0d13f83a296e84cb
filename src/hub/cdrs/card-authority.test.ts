/** cardAuthorityAt: whom an RFID session's CDR goes to, from the card's history and the session's start. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CardHistory, WhitelistEntry } from '../../storage/authorization.js';
import { cardAuthorityAt } from './card-authority.js';

const T = (hhmm: string) => `2026-05-01T${hhmm}:00.000Z`;
const at = (hhmm: string) => Date.parse(T(hhmm));
/** An entry of partner `p`'s list (list id 10 + p), listed from `added` until `removed`. */
const entry = (p: number, added?: string, removed?: string, evcoId?: string): WhitelistEntry => ({
  partnerId: p, partnerIdentifier: `pid-${p}`, listId: 10 + p,
  ...(added ? { addedAt: T(added) } : {}), ...(removed ? { removedAt: T(removed) } : {}), ...(evcoId ? { evcoId } : {}),
});
const history = (entries: WhitelistEntry[], extra: Partial<CardHistory> = {}): CardHistory => ({ entries, ...extra });

describe('cardAuthorityAt', () => {
  it('should give the hub\'s own account before any list or authorization', () => {
    const h = history([entry(1, '08:00')], { account: { evcoId: 'DE*HUB*000000001*A' }, authorized: { partnerId: 2, at: T('10:00') } });
    assert.deepEqual(cardAuthorityAt(h, at('10:00')), { via: 'hub-account', evcoId: 'DE*HUB*000000001*A' });
  });

  it('should give the list that held the card when the session began, also when it was removed since', () => {
    // Removed from 1's list at 10:30 (a card blocked while it charged), put on 2's list at 10:40.
    const h = history([entry(1, '08:00', '10:30', 'DE*ONE*000000001*A'), entry(2, '10:40')]);
    assert.deepEqual(cardAuthorityAt(h, at('10:00')), { via: 'whitelist', partnerId: 1, evcoId: 'DE*ONE*000000001*A' });
    assert.deepEqual(cardAuthorityAt(h, at('11:00')), { via: 'whitelist', partnerId: 2 });
  });

  it('should pick the lowest partner id, then the lowest list, among lists holding the card then', () => {
    const h = history([entry(3, '08:00'), { ...entry(2, '08:00'), listId: 40 }, { ...entry(2, '09:00'), listId: 30 }, entry(1, '09:30')]);
    assert.deepEqual(cardAuthorityAt(h, at('09:10')), { via: 'whitelist', partnerId: 2 });
    assert.deepEqual(cardAuthorityAt(h, at('10:00')), { via: 'whitelist', partnerId: 1 });
    assert.deepEqual(cardAuthorityAt(history([entry(5)]), at('00:01')), { via: 'whitelist', partnerId: 5 }, 'listed before the history began: always listed');
  });

  it('should prefer a list holding the card then to an authorization on record', () => {
    const h = history([entry(1, '08:00')], { authorized: { partnerId: 2, at: T('10:00'), evcoId: 'DE*TWO*000000001*A' } });
    assert.deepEqual(cardAuthorityAt(h, at('10:00')), { via: 'whitelist', partnerId: 1 });
  });

  it('should give the authorization on record when no list held the card then, unless a list lies nearer in time', () => {
    const online = { partnerId: 2, at: T('10:00'), evcoId: 'DE*TWO*000000001*A' };
    // Verified online at 10:00, listed by 1 at 10:30: the session of 10:00 was the online EMP's.
    assert.deepEqual(cardAuthorityAt(history([entry(1, '10:30')], { authorized: online }), at('10:00')), { via: 'authorization', partnerId: 2, evcoId: 'DE*TWO*000000001*A' });
    // A CPO clock three minutes behind the hub's: listed at 10:00, the session "began" 09:58; the online record is a year old.
    const stale = { partnerId: 2, at: '2025-05-01T10:00:00.000Z' };
    assert.deepEqual(cardAuthorityAt(history([entry(1, '10:00')], { authorized: stale }), at('09:58')), { via: 'whitelist', partnerId: 1 });
    assert.deepEqual(cardAuthorityAt(history([], { authorized: { partnerId: null, at: T('09:00') } }), at('10:00')), { via: 'hub-account' }, 'an account hit recorded before migration 850');
  });

  it('should fall back to the list that held the card last, and to nobody without any history', () => {
    const h = history([entry(1, '06:00', '07:00'), entry(2, '07:00', '08:00')]);
    assert.deepEqual(cardAuthorityAt(h, at('09:00')), { via: 'whitelist', partnerId: 2 });
    assert.equal(cardAuthorityAt(history([]), at('09:00')), undefined);
  });
});
