import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isUid, normalizeUid } from './uid.js';

describe('normalizeUid', () => {
  const cases: Array<[string, string | undefined, string]> = [
    ['04A2B3C4', '04A2B3C4', '4-byte UID as is'],
    ['04a2b3c4', '04A2B3C4', 'lower case is upper-cased'],
    ['12345678ABCDEF', '12345678ABCDEF', '7-byte UID (the spec examples)'],
    ['0123456789ABCDEF0123', '0123456789ABCDEF0123', '10-byte UID'],
    ['a2b3c4', '00A2B3C4', 'short: padded to 8'],
    ['1', '00000001', 'one digit: padded to 8'],
    ['123456789', '00000123456789', '9 characters: padded to 14'],
    ['abcdef0123456', '0ABCDEF0123456', '13 characters: padded to 14'],
    ['123456789012345', '00000123456789012345', '15 characters: padded to 20'],
    ['0123456789ABCDEF01234', undefined, '21 characters: too long'],
    ['04A2B3G4', undefined, 'non-hex letter'],
    ['04:A2:B3:C4', undefined, 'separators'],
    [' 04A2B3C4', undefined, 'leading space'],
    ['', undefined, 'empty'],
  ];
  for (const [value, expected, why] of cases) {
    it(`should read '${value}' as ${expected === undefined ? 'invalid' : `'${expected}'`} (${why})`, () => {
      assert.equal(normalizeUid(value), expected);
    });
  }
});

describe('isUid', () => {
  it('should accept only the normalized form', () => {
    assert.equal(isUid('04A2B3C4'), true);
    assert.equal(isUid('12345678ABCDEF'), true);
    assert.equal(isUid('04a2b3c4'), false);
    assert.equal(isUid('A2B3C4'), false);
    assert.equal(isUid('123456789'), false);
  });

  it('should hold for whatever normalizeUid returns', () => {
    for (let n = 1; n <= 20; n++) assert.equal(isUid(normalizeUid('f'.repeat(n))!), true, `length ${n}`);
  });
});
