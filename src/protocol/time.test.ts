import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { formatDateTime, parseDateTime } from './time.js';

describe('parseDateTime', () => {
  const good: Array<[string, string, string]> = [
    ['2021-06-01T12:00:00Z', '2021-06-01T12:00:00.000Z', 'UTC with Z'],
    ['2021-06-01T12:00:00+00:00', '2021-06-01T12:00:00.000Z', 'UTC with +00:00 (what we write)'],
    ['2021-06-01T12:00:00+02:00', '2021-06-01T10:00:00.000Z', 'positive offset'],
    ['2021-06-01T12:00:00-05:30', '2021-06-01T17:30:00.000Z', 'negative offset with minutes'],
    ['2021-06-01T12:00:00.5Z', '2021-06-01T12:00:00.500Z', 'one fraction digit'],
    ['2021-06-01T12:00:00.123456789+01:00', '2021-06-01T11:00:00.123Z', 'nine fraction digits, cut to ms'],
    ['2021-06-01t12:00:00z', '2021-06-01T12:00:00.000Z', 'lower-case t and z'],
    ['2021-06-01T00:30:00+01:00', '2021-05-31T23:30:00.000Z', 'offset crossing midnight'],
    ['2020-02-29T00:00:00Z', '2020-02-29T00:00:00.000Z', 'leap day'],
    ['2000-02-29T00:00:00Z', '2000-02-29T00:00:00.000Z', 'leap day in a year divisible by 400'],
    ['2016-12-31T23:59:60Z', '2017-01-01T00:00:00.000Z', 'leap second, read as the next second'],
    ['0050-01-01T00:00:00Z', '0050-01-01T00:00:00.000Z', 'two-digit year is not shifted to 1950'],
  ];
  for (const [value, iso, why] of good) {
    it(`should read '${value}' (${why})`, () => {
      assert.equal(parseDateTime(value)?.toISOString(), iso);
    });
  }

  const bad: Array<[string, string]> = [
    ['2021-02-30T00:00:00Z', 'February 30th'],
    ['2021-02-29T00:00:00Z', 'February 29th in a common year'],
    ['2100-02-29T00:00:00Z', 'February 29th in a century year'],
    ['2021-04-31T00:00:00Z', 'April 31st'],
    ['2021-13-01T00:00:00Z', 'month 13'],
    ['2021-00-10T00:00:00Z', 'month 0'],
    ['2021-06-00T00:00:00Z', 'day 0'],
    ['2021-06-01T25:00:00Z', 'hour 25'],
    ['2021-06-01T24:00:00Z', 'hour 24'],
    ['2021-06-01T12:60:00Z', 'minute 60'],
    ['2021-06-01T12:00:61Z', 'second 61'],
    ['2021-06-01T12:00:00+24:00', 'offset hour 24'],
    ['2021-06-01T12:00:00+01:60', 'offset minute 60'],
    ['2021-06-01T12:00:00', 'no offset'],
    ['2021-06-01T12:00:00+0100', 'offset without colon'],
    ['2021-06-01 12:00:00Z', 'space instead of T'],
    ['2021-06-01T12:00Z', 'no seconds'],
    ['2021-06-01', 'date only'],
    ['2021-06-01T12:00:00.Z', 'empty fraction'],
    ['21-06-01T12:00:00Z', 'two-digit year'],
    [' 2021-06-01T12:00:00Z', 'leading space'],
    ['', 'empty'],
  ];
  for (const [value, why] of bad) {
    it(`should reject '${value}' (${why})`, () => {
      assert.equal(parseDateTime(value), undefined);
    });
  }
});

describe('formatDateTime', () => {
  it('should write UTC, whole seconds and +00:00', () => {
    assert.equal(formatDateTime(new Date('2021-06-01T10:00:00.900Z')), '2021-06-01T10:00:00+00:00');
    assert.equal(formatDateTime(new Date('2021-06-01T12:00:00+02:00')), '2021-06-01T10:00:00+00:00');
    assert.equal(formatDateTime(new Date(Date.UTC(2021, 0, 2, 3, 4, 5))), '2021-01-02T03:04:05+00:00');
  });

  it('should pad small years to four digits', () => {
    const d = new Date(0);
    d.setUTCFullYear(50, 0, 1);
    assert.equal(formatDateTime(d), '0050-01-01T00:00:00+00:00');
  });

  it('should write what parseDateTime reads back to the same second', () => {
    const d = new Date('2023-10-29T01:30:15.250Z');
    assert.equal(parseDateTime(formatDateTime(d))?.getTime(), Math.floor(d.getTime() / 1000) * 1000);
  });

  it('should throw on an invalid Date', () => {
    assert.throws(() => formatDateTime(new Date('nope')), RangeError);
  });
});
