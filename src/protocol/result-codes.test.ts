import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { codeMatches, defaultMessage, isKnownCode, isSuccess, readCode, resultCodes } from './result-codes.js';

/** Every code of the table in the spec's docs/request.rst ("OIOI Response Codes"), copied by hand. */
const specCodes = [
  0, 11, 12,
  100, 101, 102, 140, 141, 142, 143, 144, 145,
  180, 181, 182, 183, 184, 185, 186, 187, 188, 189, 190, 191, 192, 193, 194, 195,
  200, 210, 211, 220, 230,
  300, 302, 310, 312, 320, 321, 322, 323, 330,
  400, 402,
  800, 802, 805, 830, 850, 860, 861, 862, 863, 864, 870, 871, 872, 874, 875, 876, 880,
];

describe('resultCodes', () => {
  it('should hold every code of the spec table', () => {
    for (const code of specCodes) assert.equal(isKnownCode(code), true, String(code));
  });

  it('should hold no code beyond the spec table (a closed table)', () => {
    assert.deepEqual(Object.keys(resultCodes).map(Number).sort((a, b) => a - b), specCodes);
  });

  it('should have a message for every code, and a fallback for unknown ones', () => {
    for (const code of specCodes) assert.notEqual(defaultMessage(code), '');
    assert.equal(defaultMessage(181), 'EVSE not found.');
    assert.equal(defaultMessage(999), 'Result code 999.');
    assert.equal(isKnownCode(999), false);
  });
});

describe('codeMatches', () => {
  const cases: Array<[number, number, boolean, string]> = [
    [0, 0, true, 'equal'],
    [11, 0, true, '011 answers a check for 000'],
    [12, 0, true, '012 answers a check for 000'],
    [0, 11, false, '000 does not prove 011'],
    [12, 11, false, 'siblings do not answer each other'],
    [143, 140, true, '143 answers 140'],
    [143, 100, true, '143 answers 100'],
    [140, 143, false, 'the general code does not prove the specific one'],
    [100, 140, false, '100 does not prove 140'],
    [181, 100, true, 'any 1xx answers 100'],
    [302, 300, true, '302 answers 300'],
    [323, 300, true, 'any 3xx answers 300'],
    [302, 100, false, 'another hundred'],
    [230, 200, true, '230 answers 200'],
    [230, 0, false, 'an error is not a success'],
  ];
  for (const [actual, expected, result, why] of cases) {
    it(`should say ${actual} ${result ? 'answers' : 'does not answer'} ${expected} (${why})`, () => {
      assert.equal(codeMatches(actual, expected), result);
    });
  }
});

describe('isSuccess', () => {
  it('should take 0, 11 and 12 as successes', () => {
    for (const code of [0, 11, 12]) assert.equal(isSuccess(code), true, String(code));
  });

  it('should take every other spec code as a failure', () => {
    for (const code of specCodes.filter((c) => c >= 100)) assert.equal(isSuccess(code), false, String(code));
  });
});

describe('readCode', () => {
  const cases: Array<[unknown, number | undefined, string]> = [
    [0, 0, 'integer 0'],
    [11, 11, 'integer'],
    [181, 181, 'integer'],
    ['000', 0, 'zero-padded string'],
    ['011', 11, 'zero-padded string'],
    ['181', 181, 'string'],
    ['0', 0, 'short string'],
    ['', undefined, 'empty string'],
    ['1000', undefined, 'four digits'],
    ['-1', undefined, 'negative string'],
    [' 11', undefined, 'space'],
    ['11.0', undefined, 'decimal string'],
    ['abc', undefined, 'letters'],
    [1.5, undefined, 'fraction'],
    [-1, undefined, 'negative'],
    [1000, undefined, 'above 999'],
    [Number.NaN, undefined, 'NaN'],
    [null, undefined, 'null'],
    [undefined, undefined, 'undefined'],
    [true, undefined, 'boolean'],
  ];
  for (const [value, expected, why] of cases) {
    it(`should read ${typeof value === 'string' ? `'${value}'` : String(value)} as ${String(expected)} (${why})`, () => {
      assert.equal(readCode(value), expected);
    });
  }
});
