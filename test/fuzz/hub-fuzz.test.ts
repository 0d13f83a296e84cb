/**
 * The quick hostile-input run inside `npm test` (`npm run fuzz` runs 100000 and more): a real hub
 * over real HTTP must answer every body of every call with a coded JSON answer, never a 5xx, and
 * commit nothing for what it refuses. OIOI_FUZZ_TEST_RUNS / OIOI_FUZZ_SEED change size and seed.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { checkAnswer, formatSummary, runFuzz } from './run-fuzz.js';
import { examplePayloadFor, startFuzzTarget, type FuzzTarget } from './target.js';

describe('hub under hostile input', () => {
  it('should answer thousands of hostile bodies for every call with a coded 4xx or a success, never 5xx, and commit nothing it refuses', { timeout: 300_000 }, async () => {
    const runs = Number(process.env.OIOI_FUZZ_TEST_RUNS ?? 2500);
    const seed = process.env.OIOI_FUZZ_SEED === undefined ? 20261124 : Number(process.env.OIOI_FUZZ_SEED);
    const summary = await runFuzz({ runs, seed });
    if (process.env.OIOI_FUZZ_VERBOSE) process.stdout.write(formatSummary(summary) + '\n');
    const refused = Object.values(summary.kinds).reduce((n, k) => n + k.refused, 0);
    const accepted = Object.values(summary.kinds).reduce((n, k) => n + k.accepted, 0);
    assert.equal(refused + accepted, runs);
    // The mix must reach the handlers, not only the front door: some mutations are still valid.
    assert.ok(accepted > runs / 100, `only ${accepted} of ${runs} inputs were accepted`);
  });
});

describe('hub under hostile headers', () => {
  let t: FuzzTarget;
  before(async () => {
    t = await startFuzzTarget();
  });
  after(() => t.stop());

  it('should answer any Authorization, Content-Type and method with a coded 4xx before reading the call', { timeout: 180_000 }, async () => {
    // Header values node:http can send: visible ASCII and spaces (it refuses control characters itself).
    const headerText = fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 80 });
    const authorization = fc.oneof(headerText, headerText.map((k) => `key=${k}`), fc.constantFrom('key=', 'key', 'Key = ', 'Bearer x', `key=${'k'.repeat(8000)}`));
    const contentType = fc.oneof(fc.constantFrom('application/json', 'application/json; charset=utf-8', 'APPLICATION/JSON', 'text/plain', 'application/jsonx', ''), headerText);
    const method = fc.constantFrom('POST', 'POST', 'GET', 'PUT', 'DELETE', 'PATCH', 'OPTIONS');
    await fc.assert(
      fc.asyncProperty(authorization, contentType, method, async (auth, ct, m) => {
        const version = t.dataVersion();
        const a = await t.sendWith({ authorization: auth, 'content-type': ct }, '{"station-post":{}}', m);
        const body = JSON.parse(a.text);
        assert.ok(a.status >= 400 && a.status < 500, `${m} ${ct} ${auth.slice(0, 40)} -> ${a.status} ${a.text}`);
        assert.ok(Number.isInteger(body.result.code));
        assert.equal(t.dataVersion(), version);
      }),
      { numRuns: 400, seed: 20261124 },
    );
  });
});

describe('the fuzz property itself', () => {
  let t: FuzzTarget;
  before(async () => {
    t = await startFuzzTarget();
  });
  after(() => t.stop());

  it('should see a committed write in both the version probe and the content hash', async () => {
    const [version, hash] = [t.dataVersion(), t.snapshot()];
    const body = { 'connector-post-status': { ...examplePayloadFor('connector-post-status', t.pids.cpo), status: 'Available' } };
    const r = await t.send('cpo', JSON.stringify(body));
    assert.equal(r.status, 200, r.text);
    assert.notEqual(t.dataVersion(), version);
    assert.notEqual(t.snapshot(), hash);
  });

  it('should fail on a 5xx, a refusal that changed storage, a wrong code for the status, or an accepted impossible body', () => {
    const input = { role: 'cpo' as const, call: 'rfid-verify', kind: 'test', body: '{}', mustFail: false };
    const json = 'application/json; charset=utf-8';
    assert.throws(() => checkAnswer(input, { status: 500, contentType: json, text: '{"result":{"code":100,"message":"x"}}' }, false), /server error/);
    assert.throws(() => checkAnswer(input, { status: 400, contentType: json, text: '{"result":{"code":230,"message":"x"}}' }, true), /changed storage/);
    assert.throws(() => checkAnswer(input, { status: 403, contentType: json, text: '{"result":{"code":230,"message":"x"}}' }, false), /does not go with/);
    assert.throws(() => checkAnswer({ ...input, mustFail: true }, { status: 200, contentType: json, text: '{"result":{"code":0,"message":"x"}}' }, false), /must be refused/);
    assert.throws(() => checkAnswer(input, { status: 400, contentType: 'text/plain', text: 'Bad Request' }, false), /content type/);
    checkAnswer(input, { status: 400, contentType: json, text: '{"result":{"code":230,"message":"x"}}' }, false);
  });
});
