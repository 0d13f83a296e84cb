/** The POI answers' time text: writeIsoOf writes the bytes of isoOf's string, for any time. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { JsonBytes } from '../../transport/server/json-bytes.js';
import { isoOf, writeIsoOf } from './format.js';
import { seededRandom } from '../../demo/random.js';

describe('writeIsoOf', () => {
  it('should write what isoOf makes, on every edge of a day and outside the fast range', () => {
    const rnd = seededRandom(3).next;
    const times = [0, 999, 1000, 59_999, 3_599_999, 86_399_999, 86_400_000, 1_700_000_000_000, 253_402_300_799_999, 253_402_300_800_000, -1, -86_400_001];
    for (let i = 0; i < 20_000; i++) times.push(Math.floor(rnd() * 4e12));
    const w = new JsonBytes(16);
    for (const ms of times) {
      writeIsoOf(w.reset(), ms);
      assert.equal(w.take().toString('latin1'), isoOf(ms), String(ms));
    }
  });
});
