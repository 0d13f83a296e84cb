import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { checkInputLimits, defaultInputLimits, inputLimitsOf, mayHoldSurrogates } from './limits.js';
import { aStatus, post, startTestServer } from '../test-support/server.js';
import type { OioiServer } from './types.js';
import { isOioiError } from '../../protocol/index.js';

/** `[[[…x…]]]` nested `n` levels deep. */
function nested(n: number, inner: unknown = 1): unknown {
  let v: unknown = inner;
  for (let i = 0; i < n; i++) v = [v];
  return v;
}

function breachOf(value: unknown, limits = defaultInputLimits): string | undefined {
  try {
    checkInputLimits(value, limits);
    return undefined;
  } catch (err) {
    assert.ok(isOioiError(err) && err.code === 230, String(err));
    return err.message;
  }
}

describe('input limits: the walk', () => {
  it('should accept a body exactly at every limit', () => {
    const lim = inputLimitsOf({ depth: 4, stringLength: 5, arrayItems: 3, objectKeys: 2 });
    assert.equal(breachOf({ a: [[{ b: 'xxxxx' }]], c: [1, 2, 3] }, lim), undefined);
  });

  it('should name the path and the limit of the first breach', () => {
    const lim = inputLimitsOf({ depth: 4, stringLength: 5, arrayItems: 3, objectKeys: 2 });
    assert.equal(breachOf({ a: [[[{}]]] }, lim), 'a[0][0][0]: nesting deeper than 4 levels');
    assert.equal(breachOf({ a: { b: 'xxxxxx' } }, lim), 'a.b: string longer than 5 characters');
    assert.equal(breachOf({ a: [1, 2, 3, 4] }, lim), 'a: array longer than 3 items');
    assert.equal(breachOf({ a: { x: 1, y: 2, z: 3 } }, lim), 'a: object with more than 2 keys');
    assert.equal(breachOf({ xxxxxx: 1 }, lim), 'body: key longer than 5 characters');
    assert.equal(breachOf('xxxxxx', lim), 'body: string longer than 5 characters');
  });

  it('should stop at the depth limit without walking (or overflowing on) deeper levels', () => {
    assert.match(breachOf(nested(100_000)) ?? '', /nesting deeper than 32 levels$/);
    assert.equal(breachOf(nested(31)), undefined);
  });

  it('should refuse a lone surrogate in any string or key, and accept pairs', () => {
    const message = /string holds a lone UTF-16 surrogate/;
    assert.match(breachOf({ a: { name: 'end \ud800' } }) ?? '', /^a\.name: string holds a lone UTF-16 surrogate/);
    assert.match(breachOf({ a: ['x', 'low \udc00 first'] }) ?? '', /^a\[1\]: /);
    assert.match(breachOf({ a: 'reversed \udc00\ud800' }) ?? '', message);
    assert.match(breachOf({ 'k\ud801': 1 }) ?? '', /^body: key: string holds a lone/);
    assert.equal(breachOf({ a: 'car 🚗 \ud83d\ude97 Straße 東京' }), undefined);
  });

  it('should skip the surrogate check when told the raw body holds no surrogate escape', () => {
    assert.doesNotThrow(() => checkInputLimits({ a: '\ud800' }, defaultInputLimits, false));
    assert.equal(mayHoldSurrogates(Buffer.from('{"a":"\\ud800"}')), true);
    assert.equal(mayHoldSurrogates(Buffer.from('{"a":"\\uDBFF"}')), true);
    assert.equal(mayHoldSurrogates(Buffer.from('{"a":"\\u00e9 🚗"}')), false, 'raw UTF-8 and other escapes');
    assert.equal(mayHoldSurrogates(Buffer.from('{"a":"\\n\\\\","b":"\\uD83D\\uDE97"}')), true, 'after other escapes');
    assert.equal(mayHoldSurrogates(Buffer.from('{"a":"\\n\\t\\\\ud800"}')), true, 'an escaped backslash does not hide what follows (the check may only say too much)');
    assert.equal(mayHoldSurrogates(Buffer.from('{"a":"no escape at all"}')), false);
  });

  it('should refuse limits that are not whole numbers >= 1', () => {
    assert.throws(() => inputLimitsOf({ depth: 0 }), /depth/);
    assert.throws(() => inputLimitsOf({ arrayItems: 1.5 }), /arrayItems/);
  });
});

describe('input limits: over HTTP', () => {
  let s: OioiServer;
  let url: string;
  before(async () => {
    ({ s, url } = await startTestServer());
  });
  after(() => s.close());

  const cases: Array<[string, () => string, RegExp]> = [
    ['nesting 33 levels deep', () => JSON.stringify({ 'connector-post-status': aStatus({ extra: nested(31) }) }), /nesting deeper than 32 levels/],
    ['nesting 200000 levels deep', () => `{"connector-post-status":${'['.repeat(200_000)}${']'.repeat(200_000)}}`, /nesting deeper than 32 levels/],
    ['a string of 16385 characters', () => JSON.stringify({ 'connector-post-status': aStatus({ note: 'x'.repeat(16_385) }) }), /string longer than 16384/],
    ['an array of 10001 items', () => JSON.stringify({ 'connector-post-status': aStatus({ list: new Array(10_001).fill(0) }) }), /array longer than 10000 items/],
    ['an object of 1001 keys', () => JSON.stringify({ 'connector-post-status': aStatus(Object.fromEntries(Array.from({ length: 1001 }, (_, i) => [`k${i}`, i]))) }), /more than 1000 keys/],
  ];
  for (const [what, body, message] of cases) {
    it(`should answer 400/230 to ${what}`, async () => {
      const r = await post(url, body());
      assert.equal(r.status, 400, r.text.slice(0, 200));
      assert.equal(r.json.result.code, 230);
      assert.match(r.json.result.message, message);
    });
  }

  it('should still accept a valid body with unknown extra fields inside the limits', async () => {
    const r = await post(url, { 'connector-post-status': aStatus({ extra: nested(20, 'x'.repeat(16_384)) }) });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.result.code, 0);
  });

  it('should answer 400/230 to a lone surrogate escape without calling the handler, and take a paired one', async () => {
    const seen: string[] = [];
    const { s: s2, url: url2 } = await startTestServer({ handlers: { 'connector-post-status': async (p) => (seen.push(p['connector-id']), {}) } });
    try {
      const lone = await post(url2, '{"connector-post-status":{"connector-id":"DE*8PS*E1","status":"Available","partner-identifier":"pid-cpo-0000000001","note":"x\\uD800y"}}');
      assert.equal(lone.status, 400, lone.text);
      assert.equal(lone.json.result.code, 230);
      assert.match(lone.json.result.message, /connector-post-status\.note: string holds a lone UTF-16 surrogate/);
      const paired = await post(url2, '{"connector-post-status":{"connector-id":"DE*8PS*E2","status":"Available","partner-identifier":"pid-cpo-0000000001","note":"\\ud83d\\ude97"}}');
      assert.equal(paired.json.result.code, 0, paired.text);
      assert.deepEqual(seen, ['DE*8PS*E2']);
    } finally {
      await s2.close();
    }
  });

  it('should apply per-sender limits given as a function', async () => {
    const small = inputLimitsOf({ arrayItems: 2 });
    const { s: s2, url: url2 } = await startTestServer({ inputLimits: () => small });
    try {
      const r = await post(url2, { 'connector-post-status': aStatus({ list: [1, 2, 3] }) });
      assert.equal(r.json.result.code, 230);
      assert.match(r.json.result.message, /connector-post-status\.list: array longer than 2 items/);
    } finally {
      await s2.close();
    }
  });
});
