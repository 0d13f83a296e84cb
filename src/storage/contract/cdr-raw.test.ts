/**
 * A CDR's post as received (`raw`) on every engine: stored once with the record when the record is
 * the post itself, as its own JSON when the record was completed from other posts, and read back
 * alike by the CDR look-up and the dashboard, also from rows written before it was stored once.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { CdrPost } from '../cdrs.js';
import { aPartner, rawExec, rawQuery, testEngines, useStorage } from './test-support/setup.js';

for (const engine of testEngines()) {
  describe(`CDR raw post on ${engine}`, () => {
    const h = useStorage(engine);
    let cpo: { id: number; identifier: string };
    before(async () => {
      cpo = await aPartner(h.storage, 'cpo', ['cpo']);
    });
    const post = (sessionId: string, raw: Record<string, unknown>, at: number): CdrPost => ({
      sessionId, partnerId: cpo.id, partnerIdentifier: cpo.identifier, evseId: 'DE*CPO*E1', evseKey: 'DECPOE1', userType: 'evco-id', userId: 'DE*EMP*000001*2', raw, at,
    });
    const rawColumnOf = async (sessionId: string) =>
      (await rawQuery<{ raw: string; payload: string }>(engine, h.url, `SELECT raw, payload FROM cdrs WHERE session_id = '${sessionId}'`))[0]!;

    it('should store a first post that is the record once, and read it back as the post', async () => {
      const first = { 'session-id': 'once', 'energy-consumed': 12.5 };
      await h.storage.cdrs.save(post('once', first, 1), () => ({ action: 'write', payload: first, outbox: [] }));
      const stored = await rawColumnOf('once');
      assert.equal(stored.raw, '', 'the JSON is in payload only');
      assert.deepEqual(JSON.parse(stored.payload), first);
      const got = (await h.storage.cdrs.get('once'))!;
      assert.deepEqual(got.raw, first);
      assert.deepEqual(got.payload, first);
      (got.payload as Record<string, unknown>)['energy-consumed'] = 0;
      assert.equal((got.raw as Record<string, unknown>)['energy-consumed'], 12.5, 'raw and payload are separate objects');
      assert.deepEqual((await h.storage.dashboard.cdr('once'))!.raw, first);
    });

    it('should store a later post that the record only completes as its own JSON', async () => {
      const first = { 'session-id': 'later', 'energy-consumed': 3 };
      await h.storage.cdrs.save(post('later', first, 1), () => ({ action: 'write', payload: first, outbox: [] }));
      const second = { 'session-id': 'later', 'session-interval': { stop: '2026-12-07T00:10:00Z' } };
      const merged = { ...first, ...second };
      await h.storage.cdrs.save(post('later', second, 2), () => ({ action: 'write', payload: merged, outbox: [] }));
      assert.deepEqual(JSON.parse((await rawColumnOf('later')).raw), second);
      const got = (await h.storage.cdrs.get('later'))!;
      assert.deepEqual(got.raw, second);
      assert.deepEqual(got.payload, merged);
      assert.deepEqual((await h.storage.dashboard.searchCdrs({ evseKey: 'DECPOE1', userKeys: [], canonicalUsers: [], limit: 10 })).find((c) => c.sessionId === 'later')!.raw, second);
    });

    it('should read a row written with raw as a copy of payload (before the JSON was stored once)', async () => {
      const json = JSON.stringify({ 'session-id': 'old', 'energy-consumed': 7 });
      await rawExec(engine, h.url, `INSERT INTO cdrs (session_id, partner_id, partner_identifier, evse_id, evse_key, user_type, user_id, payload, raw, received_at, updated_at)
        VALUES ('old', ${cpo.id}, '${cpo.identifier}', 'DE*CPO*E1', 'DECPOE1', 'evco-id', 'DE*EMP*000001*2', '${json}', '${json}', 1, 1)`);
      assert.deepEqual((await h.storage.cdrs.get('old'))!.raw, JSON.parse(json));
      assert.deepEqual((await h.storage.dashboard.cdr('old'))!.raw, JSON.parse(json));
    });
  });
}
