import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createOioiServer } from './server.js';
import { createLogger } from './logger.js';
import { keys, post } from '../test-support/server.js';

/** A server whose api-minimum-version-number handler answers a number where a version string belongs. */
async function serverWithBadHandler(validateResponses: boolean) {
  const lines: string[] = [];
  const s = createOioiServer({
    authenticate: (k) => keys[k],
    validateResponses,
    logger: createLogger({ level: 'info', stream: { write: (l: string) => lines.push(l) } }),
    handlers: { 'api-minimum-version-number': () => ({ 'api-minimum-version-number': { 'minimum-version': 4 as unknown as string } }) },
  });
  return { s, url: await s.listen(0, '127.0.0.1'), lines };
}

describe('server: response validation', () => {
  it('should answer 500/100 and log the breach when a handler breaks its response schema', async () => {
    const { s, url, lines } = await serverWithBadHandler(true);
    try {
      const r = await post(url, { 'api-minimum-version-number': {} });
      assert.equal(r.status, 500);
      assert.equal(r.json.result.code, 100);
      assert.ok(!r.text.includes('schema'), 'the partner sees no internals');
      assert.ok(lines.some((l) => l.includes('breaks the response schema')));
    } finally {
      await s.close();
    }
  });

  it('should pass the answer through unchecked when validation is off', async () => {
    const { s, url } = await serverWithBadHandler(false);
    try {
      const r = await post(url, { 'api-minimum-version-number': {} });
      assert.equal(r.status, 200);
    } finally {
      await s.close();
    }
  });
});
