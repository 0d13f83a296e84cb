/** Input checks of the hub's own accounts. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AccountInputError, checkEvcoId, checkUids } from './accounts.js';

describe('account input', () => {
  it('should give the canonical EVCO ID and warn, not refuse, on a wrong check digit', () => {
    assert.deepEqual(checkEvcoId('nl-tnm-000122045-u'), { evcoId: 'NL*TNM*000122045*U' });
    const wrong = checkEvcoId('NL*TNM*000122045*0');
    assert.equal(wrong.evcoId, 'NL*TNM*000122045*0');
    assert.match(wrong.warning ?? '', /check digit/);
    assert.throws(() => checkEvcoId('not-an-evco'), AccountInputError);
  });

  it('should normalize UIDs and name the first bad one', () => {
    assert.deepEqual(checkUids(['a2b3c4', ' 04A2B3C4 ']), ['00A2B3C4', '04A2B3C4']);
    assert.throws(() => checkUids(['04A2B3C4', 'XYZ']), /'XYZ' is not a valid RFID UID/);
    assert.throws(() => checkUids([]), AccountInputError);
  });
});
