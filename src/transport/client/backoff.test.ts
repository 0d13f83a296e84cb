import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backoffDelay, retryAfterMs } from './backoff.js';

const o = { retries: 5, minDelayMs: 200, maxDelayMs: 1000 };

test('should grow the back-off cap exponentially up to maxDelayMs, with full jitter', () => {
  assert.equal(backoffDelay(0, o, () => 0.999999), 199);
  assert.equal(backoffDelay(2, o, () => 0.999999), 799);
  assert.equal(backoffDelay(9, o, () => 0.999999), 999);
  assert.equal(backoffDelay(3, o, () => 0), 0);
});

test('should read Retry-After as seconds or as an HTTP date', () => {
  assert.equal(retryAfterMs('2'), 2000);
  const now = Date.parse('Wed, 21 Oct 2015 07:28:00 GMT');
  assert.equal(retryAfterMs('Wed, 21 Oct 2015 07:28:03 GMT', now), 3000);
  assert.equal(retryAfterMs('Wed, 21 Oct 2015 07:27:00 GMT', now), 0);
  assert.equal(retryAfterMs('soon'), undefined);
  assert.equal(retryAfterMs(undefined), undefined);
});
