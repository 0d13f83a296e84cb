import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { withoutSecrets } from './redact.js';

describe('withoutSecrets', () => {
  it('should replace every occurrence of each secret and leave other text alone', () => {
    assert.equal(withoutSecrets('key k-123456 refused; k-123456 again, x-999999', 'k-123456', 'x-999999'), 'key [redacted] refused; [redacted] again, [redacted]');
    assert.equal(withoutSecrets('nothing secret here', 'k-123456'), 'nothing secret here');
  });

  it('should skip empty, missing and short secrets', () => {
    assert.equal(withoutSecrets('a b c', '', undefined, 'a'), 'a b c');
  });
});
