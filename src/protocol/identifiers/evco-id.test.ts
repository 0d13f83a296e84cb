import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  computeEvcoCheckDigit,
  evcoPrefix,
  isEvcoId,
  makeEvcoId,
  normalizeEvcoId,
  parseEvcoId,
  verifyEvcoCheckDigit,
} from './evco-id.js';

describe('isEvcoId', () => {
  const cases: Array<[string, boolean, string]> = [
    ['DE*8PS*123456*7', true, 'DIN form: session_start.rst, user_register.rst, user_verify.rst example'],
    ['DE-8PS-123456-7', true, 'DIN form with -'],
    ['DE8PS1234567', true, 'DIN form without separators'],
    ['de*8ps*123456*x', true, 'DIN form, lower case, check X'],
    ['DE*8PS*156456730*9', true, 'ISO form: reservation_start.rst, reservation_stop.rst, user_get_details.rst'],
    ['DE*8PS*156454730*2', true, 'ISO form: reservation_start.rst'],
    ['NL-TNM-000122045-U', true, 'ISO form with -'],
    ['NLTNM000122045U', true, 'ISO form without separators'],
    ['NL-TNM-000122045', true, 'ISO form without check character'],
    ['NLTNMC00122045', true, 'ISO form, eMI3 instance, no separators, no check'],
    ['DE*8PS*123456*A', false, 'DIN check must be a digit or X'],
    ['DE*8PS*C12345', false, 'user_get_charging_keys.rst example: 6 characters, no check'],
    ['yourevcoid', false, 'user_charging_key_activate.rst placeholder'],
    ['DE*8PS*12345*7', false, 'instance of 5'],
    ['DE*8PS*1234567*8', false, 'instance of 7'],
    ['DE*8PS*1234567890*1', false, 'instance of 10'],
    ['D1*8PS*123456*7', false, 'digit in country'],
    ['DE*8P*123456*7', false, 'provider of 2'],
    ['DE**8PS*123456*7', false, 'double separator'],
    ['DE_8PS_123456_7', false, 'underscore separator'],
    ['DE*8PS*123456*7 ', false, 'trailing space'],
    ['', false, 'empty'],
  ];
  for (const [value, expected, why] of cases) {
    it(`should ${expected ? 'accept' : 'reject'} '${value}' (${why})`, () => {
      assert.equal(isEvcoId(value), expected);
    });
  }
});

describe('parseEvcoId and normalizeEvcoId', () => {
  it('should tell the DIN form from the ISO form', () => {
    assert.deepEqual(parseEvcoId('de-8ps-123456-7'), { form: 'din', country: 'DE', provider: '8PS', instance: '123456', check: '7' });
    assert.deepEqual(parseEvcoId('DE*8PS*156456730*9'), { form: 'iso', country: 'DE', provider: '8PS', instance: '156456730', check: '9' });
    assert.deepEqual(parseEvcoId('DE8PS156456730'), { form: 'iso', country: 'DE', provider: '8PS', instance: '156456730' });
    assert.equal(parseEvcoId('DE*8PS*C12345'), undefined);
  });

  const spellings: Array<[string, string]> = [
    ['DE*8PS*123456*7', 'DE*8PS*123456*7'],
    ['de-8ps-123456-7', 'DE*8PS*123456*7'],
    ['DE8PS1234567', 'DE*8PS*123456*7'],
    ['de*8ps*123456*x', 'DE*8PS*123456*X'],
    ['nl-tnm-000122045-u', 'NL*TNM*000122045*U'],
    ['NLTNM000122045', 'NL*TNM*000122045'],
  ];
  for (const [value, expected] of spellings) {
    it(`should normalize '${value}' to '${expected}'`, () => {
      assert.equal(normalizeEvcoId(value), expected);
    });
  }

  it('should give undefined for a malformed id', () => {
    assert.equal(normalizeEvcoId('yourevcoid'), undefined);
  });
});

describe('evcoPrefix', () => {
  it('should name the EMP in upper case without separators, whatever the form', () => {
    assert.equal(evcoPrefix('DE*8PS*123456*7'), 'DE8PS');
    assert.equal(evcoPrefix('de-8ps-156456730-9'), 'DE8PS');
    assert.equal(evcoPrefix('de8ps156456730'), 'DE8PS');
  });
});

/**
 * Published check characters, each with where it was found.
 * - mobilityid-check: ShellRechargeSolutionsEU/mobilityid,
 *   core/src/test/scala/com/thenewmotion/mobilityid/CheckDigitSpec.scala (ISO list and the
 *   "old Excel sheet" DIN list)
 * - mobilityid-contract: ShellRechargeSolutionsEU/mobilityid,
 *   core/src/test/scala/com/thenewmotion/mobilityid/ContractIdSpec.scala
 * - ev-id-tools: hslatman/ev-id-tools, checksum/checksum_test.go (the first from the OCHP paper
 *   "E-Mobility IDs: EVCOID Check Digit Calculation Explanation", the second from eMI3 standard
 *   v1.0 part 2, section 1.2.2.1)
 * - satimoto: satimoto/go-ocpi, internal/evid/evid_test.go
 * - ema-id-tool: kajedot/ema-id-tool, tests/test_check_digit_calc.py
 * - mobilityid-old: ShellRechargeSolutionsEU/mobilityid,
 *   src/test/scala/com/thenewmotion/evcoid/services/ContractIdServiceTest.scala
 */
const isoVectors: Array<[string, string, string]> = [
  ['NN123ABCDEFGHI', 'T', 'mobilityid-check'],
  ['FRXYZ123456789', '2', 'mobilityid-check, ema-id-tool'],
  ['ITA1B2C3E4F5G6', '4', 'mobilityid-check, ema-id-tool'],
  ['ESZU8WOX834H1D', 'R', 'mobilityid-check, ema-id-tool'],
  ['PT73902837ABCZ', 'Z', 'mobilityid-check, ema-id-tool'],
  ['DE83DUIEN83QGZ', 'D', 'mobilityid-check, ema-id-tool, ev-id-tools (OCHP paper)'],
  ['DE83DUIEN83ZGQ', 'M', 'mobilityid-check, ema-id-tool'],
  ['DE8AA001234567', '0', 'mobilityid-check'],
  ['NL-TNM-000122045', 'U', 'mobilityid-contract'],
  ['NL-TNM-000722345', 'X', 'mobilityid-contract'],
  ['NL-TNM-C00122045', 'K', 'mobilityid-contract (eMI3 instance)'],
  ['DE-8AA-CA2B3C4D5', 'L', 'ev-id-tools (eMI3 part 2), satimoto'],
  ['DE-8AC-C12E56L89', '4', 'satimoto'],
];

const dinVectors: Array<[string, string, string]> = [
  ['INTNM000071', '9', 'mobilityid-check'],
  ['INTNM000110', 'X', 'mobilityid-check'],
  ['INTNM000124', '0', 'mobilityid-check'],
  ['INTNM000114', '6', 'mobilityid-check'],
  ['INTNM000191', '5', 'mobilityid-check'],
  ['NL-TNM-122045', '0', 'mobilityid-contract'],
  ['NL-TNM-012204', '5', 'mobilityid-contract'],
  ['NL-TNM-123456', '7', 'mobilityid-old'],
];

describe('computeEvcoCheckDigit', () => {
  for (const [body, check, source] of isoVectors) {
    it(`should give '${check}' for ISO '${body}' (${source})`, () => {
      assert.equal(computeEvcoCheckDigit(body), check);
    });
  }
  for (const [body, check, source] of dinVectors) {
    it(`should give '${check}' for DIN '${body}' (${source})`, () => {
      assert.equal(computeEvcoCheckDigit(body), check);
    });
  }

  it('should ignore case and separators', () => {
    assert.equal(computeEvcoCheckDigit('de*8aa*ca2b3c4d5'), 'L');
    assert.equal(computeEvcoCheckDigit('nltnm122045'), '0');
  });

  it('should throw on a body of the wrong length or with bad characters', () => {
    for (const bad of ['', 'DE8AA00123456', 'DE8AA0012345678', 'DE8AA12345', 'DE8A|001234567', 'D18AA001234567']) {
      assert.throws(() => computeEvcoCheckDigit(bad), RangeError, bad);
    }
  });

  it('should catch every single-character error in an ISO id (a property of the method)', () => {
    const valid = 'DE8AACA2B3C4D5L';
    const alphabet = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';
    for (let i = 5; i < valid.length; i++) {
      for (const c of alphabet) {
        if (c === valid[i]) continue;
        const wrong = valid.slice(0, i) + c + valid.slice(i + 1);
        assert.equal(verifyEvcoCheckDigit(wrong), 'invalid', wrong);
      }
    }
  });

  it('should catch every swap of two different neighbours in an ISO id', () => {
    for (const [body, check] of isoVectors) {
      const id = body.replace(/-/g, '') + check;
      for (let i = 5; i < id.length - 1; i++) {
        if (id[i] === id[i + 1]) continue;
        const swapped = id.slice(0, i) + id[i + 1] + id[i] + id.slice(i + 2);
        assert.equal(verifyEvcoCheckDigit(swapped), 'invalid', swapped);
      }
    }
  });
});

describe('verifyEvcoCheckDigit', () => {
  const cases: Array<[string, 'valid' | 'invalid' | 'not-checkable', string]> = [
    ['NL-TNM-000122045-U', 'valid', 'ISO, published'],
    ['nl-tnm-000122045-u', 'valid', 'ISO, lower case'],
    ['DE*8AA*CA2B3C4D5*L', 'valid', 'ISO with *'],
    ['DE83DUIEN83QGZD', 'valid', 'ISO without separators'],
    ['NL-TNM-122045-0', 'valid', 'DIN, published'],
    ['INTNM000110X', 'valid', 'DIN with X'],
    ['INTNM000110x', 'valid', 'DIN with lower-case x'],
    ['NL-TNM-000122045-X', 'invalid', 'ISO, mobilityid-contract rejects it for its check character'],
    ['NL-TNM-122045-1', 'invalid', 'DIN, wrong digit'],
    // The spec's own examples carry check characters that do not verify.
    ['DE*8PS*123456*7', 'invalid', 'spec DIN example; the DIN method gives 0'],
    ['DE*8PS*156456730*9', 'invalid', 'spec ISO example; the ISO method gives D'],
    ['DE*8PS*156454730*2', 'invalid', 'spec ISO example; the ISO method gives B'],
    // ISO 15118-2's example as quoted by mobilityid-old; the method gives L (as eMI3 part 2 has it).
    ['DE-8AA-CA2B3C4D5-N', 'invalid', 'ISO 15118-2 example'],
    ['NL-TNM-000122045', 'not-checkable', 'ISO without check character'],
    ['DE*8PS*156456730', 'not-checkable', 'ISO without check character, *'],
    ['yourevcoid', 'not-checkable', 'not an EVCO ID at all'],
  ];
  for (const [value, expected, why] of cases) {
    it(`should report '${value}' as ${expected} (${why})`, () => {
      assert.equal(verifyEvcoCheckDigit(value), expected);
    });
  }

  it('should leave ids with a wrong check character well-formed (a warning, not a rejection)', () => {
    for (const id of ['DE*8PS*123456*7', 'DE*8PS*156456730*9', 'NL-TNM-000122045-X']) {
      assert.equal(verifyEvcoCheckDigit(id), 'invalid');
      assert.equal(isEvcoId(id), true);
      assert.notEqual(normalizeEvcoId(id), undefined);
    }
  });
});

describe('makeEvcoId', () => {
  it('should build the ISO form with its check character', () => {
    assert.equal(makeEvcoId('NL', 'TNM', '000122045'), 'NL*TNM*000122045*U');
    assert.equal(makeEvcoId('de', '8aa', 'ca2b3c4d5'), 'DE*8AA*CA2B3C4D5*L');
  });

  it('should build the DIN form with its check digit', () => {
    assert.equal(makeEvcoId('NL', 'TNM', '122045'), 'NL*TNM*122045*0');
    assert.equal(makeEvcoId('DE', '8PS', '123456'), 'DE*8PS*123456*0');
  });

  it('should always yield ids that verify', () => {
    const alphabet = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';
    const pick = (n: number) => Array.from({ length: n }, () => alphabet[Math.floor(Math.random() * 36)]).join('');
    for (let i = 0; i < 500; i++) {
      const id = makeEvcoId('DE', pick(3), pick(i % 2 ? 9 : 6));
      assert.equal(isEvcoId(id), true, id);
      assert.equal(verifyEvcoCheckDigit(id), 'valid', id);
    }
  });

  it('should throw on parts of the wrong shape', () => {
    assert.throws(() => makeEvcoId('D', '8PS', '123456'), RangeError);
    assert.throws(() => makeEvcoId('D1', '8PS', '123456'), RangeError);
    assert.throws(() => makeEvcoId('DE', '8P', '123456'), RangeError);
    assert.throws(() => makeEvcoId('DE', '8PS', '1234567'), RangeError);
    assert.throws(() => makeEvcoId('DE', '8PS', '12345*789'), RangeError);
  });
});
