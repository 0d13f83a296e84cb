import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isInUse, oioiStatus, type OcppStatus } from './status.js';

describe('oioiStatus', () => {
  it('should map every OCPP 1.6 status to the OIOI status a driver needs', () => {
    const cases: Array<[OcppStatus, string]> = [
      ['Available', 'Available'], ['Preparing', 'Occupied'], ['Charging', 'Occupied'], ['SuspendedEV', 'Occupied'],
      ['SuspendedEVSE', 'Occupied'], ['Finishing', 'Occupied'], ['Reserved', 'Reserved'], ['Unavailable', 'Offline'], ['Faulted', 'Offline'],
    ];
    for (const [ocpp, oioi] of cases) assert.equal(oioiStatus(ocpp), oioi, ocpp);
  });

  it('should call a connector in use only while a car is on it', () => {
    assert.equal(isInUse('Charging'), true);
    assert.equal(isInUse('SuspendedEV'), true);
    assert.equal(isInUse('Preparing'), false, 'Preparing may be the remote start itself');
    assert.equal(isInUse('Available'), false);
    assert.equal(isInUse(undefined), false);
  });
});
