import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cdrFigures, registerWh } from './energy.js';

const T = Date.parse('2024-05-01T10:00:00Z');
const min = (n: number) => T + n * 60_000;

describe('cdrFigures', () => {
  it('should take the energy from meterStart and meterStop in kWh', () => {
    const f = cdrFigures({ start: T, stop: min(60), meterStart: 1000, meterStop: 13_500, readings: [] });
    assert.equal(f.kWh, 12.5);
    assert.equal(f.sessionStart, T);
    assert.equal(f.sessionStop, min(60));
    assert.deepEqual([f.chargingStart, f.chargingStop], [T, min(60)], 'without samples the whole session counts as charging');
  });

  it('should bound the charging interval by the samples where the register rose', () => {
    const readings = [
      { at: min(5), wh: 1000 }, { at: min(10), wh: 1000 }, { at: min(20), wh: 5000 },
      { at: min(40), wh: 9000 }, { at: min(50), wh: 9000 }, { at: min(55), wh: 9000 },
    ];
    const f = cdrFigures({ start: T, stop: min(60), meterStart: 1000, meterStop: 9000, readings });
    assert.equal(f.chargingStart, min(10));
    assert.equal(f.chargingStop, min(40));
    assert.equal(f.kWh, 8);
  });

  it('should read samples in any order and ignore those outside the session', () => {
    const readings = [{ at: min(40), wh: 3000 }, { at: min(-5), wh: 0 }, { at: min(20), wh: 2000 }, { at: min(90), wh: 9999 }];
    const f = cdrFigures({ start: T, stop: min(60), meterStart: 1000, meterStop: 3000, readings });
    assert.equal(f.chargingStart, T);
    assert.equal(f.chargingStop, min(40));
  });

  it('should give no energy and no charging interval when the register did not rise or went backwards', () => {
    for (const meterStop of [5000, 4000]) {
      const f = cdrFigures({ start: T, stop: min(10), meterStart: 5000, meterStop, readings: [] });
      assert.equal(f.kWh, 0);
      assert.equal(f.chargingStart, undefined);
      assert.equal(f.chargingStop, undefined);
    }
  });
});

describe('registerWh', () => {
  it('should read the energy register in Wh or kWh and skip other measurands and phases', () => {
    assert.equal(registerWh([{ value: '1234' }]), 1234, 'the default measurand is the import register in Wh');
    assert.equal(registerWh([{ value: '12.5', unit: 'kWh', measurand: 'Energy.Active.Import.Register' }]), 12_500);
    assert.equal(registerWh([{ value: '7000', measurand: 'Power.Active.Import', unit: 'W' }, { value: '99', phase: 'L1' }, { value: '42' }]), 42);
    assert.equal(registerWh([{ value: 'abc' }]), undefined);
    assert.equal(registerWh([]), undefined);
  });
});
