import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { evseKey, isEvseId } from './evse-id.js';

const thirty = 'A1B2C3D4E5F6G7H8I9J0K1L2M3N4O5';

describe('isEvseId', () => {
  const cases: Array<[string, boolean, string]> = [
    ['DE*123*E12345*A', true, 'glossary.rst example'],
    ['DE*8PS*E123456', true, 'connector_post_status.rst example'],
    ['DE*8PS*ETABCD*1', true, 'session_post.rst / reservation_start.rst example'],
    ['DE8PSE123456', true, 'separators are optional'],
    ['DE*8PSE123', true, 'only one separator'],
    ['de*8ps*E123abc', true, 'lower-case country, operator and id'],
    ['DE*8PS*E*1', true, '* is allowed inside the EVSE part'],
    [`DE*8PS*E${thirty}`, true, '30 characters after E: the limit'],
    [`DE*8PS*E${thirty}1`, false, '31 characters after E: too long'],
    ['DE*8PS*E', false, 'nothing after E'],
    ['DE*8PS*123456', false, 'missing E'],
    // EVSE IDs compare case-insensitively (shared/protocol.md), so the E marker may be lower case too.
    ['de*8ps*e123', true, 'lower-case e marker'],
    ['de8pse123', true, 'lower case without separators'],
    ['D*8PS*E1', false, 'one-letter country'],
    ['D1*8PS*E1', false, 'digit in country'],
    ['DE*8P*E1', false, 'two-character operator'],
    ['DE**8PS*E1', false, 'double separator'],
    ['DE-8PS-E1', false, '- is not an EVSE separator'],
    ['DE*8PS*E1 ', false, 'trailing space'],
    ['', false, 'empty'],
  ];
  for (const [value, expected, why] of cases) {
    it(`should ${expected ? 'accept' : 'reject'} '${value.length > 40 ? value.slice(0, 40) + '…' : value}' (${why})`, () => {
      assert.equal(isEvseId(value), expected);
    });
  }
});

describe('evseKey', () => {
  const same: Array<[string, string]> = [
    ['DE*8PS*E123', 'de8pse123'],
    ['DE*8PS*E123', 'DE8PSE123'],
    ['DE*8PS*ETABCD*1', 'de*8ps*etabcd1'],
    ['DE*123*E12345*A', 'DE123E12345A'],
  ];
  for (const [a, b] of same) {
    it(`should give '${a}' and '${b}' the same key`, () => {
      assert.equal(evseKey(a), evseKey(b));
    });
  }

  it('should upper-case and drop every *', () => {
    assert.equal(evseKey('de*8ps*etabcd*1'), 'DE8PSETABCD1');
  });

  it('should keep different EVSEs apart', () => {
    assert.notEqual(evseKey('DE*8PS*E123'), evseKey('DE*8PS*E124'));
    assert.notEqual(evseKey('DE*8PS*E123'), evseKey('DE*8PT*E123'));
  });
});
