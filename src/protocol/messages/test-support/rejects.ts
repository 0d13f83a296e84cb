/** Asserting a 230 rejection in protocol tests. */
import assert from 'node:assert/strict';
import { OioiError } from '../../errors.js';

/** Asserts that `read` throws an OioiError 230 whose message equals (or matches) `message`. */
export function rejects230(read: () => unknown, message: string | RegExp): void {
  assert.throws(read, (e: unknown) => {
    assert.ok(e instanceof OioiError, `not an OioiError: ${String(e)}`);
    assert.equal(e.code, 230);
    if (typeof message === 'string') assert.equal(e.message, message);
    else assert.match(e.message, message);
    return true;
  });
}
