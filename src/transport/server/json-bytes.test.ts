/** JsonBytes against JSON.stringify: the same UTF-8 text for numbers, integers and strings of every kind. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ascii, JsonBytes } from './json-bytes.js';
import fc from 'fast-check';
import { seededRandom } from '../../demo/random.js';

const written = (write: (w: JsonBytes) => void): string => {
  const w = new JsonBytes(16); // small: growth is exercised too
  write(w);
  return w.take().toString('utf8');
};

describe('JsonBytes', () => {
  it('should write numbers as JSON.stringify does, coordinates of any precision and sign among them', () => {
    const rnd = seededRandom(4).next;
    const samples = [0, -0, 1, -1, 180, -180, 0.000001, -0.000001, 0.0000005, 1e-7, 52.52, 13.405, 0.1 + 0.2, 1e9, 1e15, 1e21, 123456789.123456, Number.MIN_VALUE, Number.MAX_VALUE, NaN, Infinity];
    for (let i = 0; i < 100_000; i++) {
      const decimals = Math.floor(rnd() * 9);
      const scale = 10 ** decimals;
      const v = Math.round((rnd() * 360 - 180) * scale) / scale; // as a CPO writes it: 0 to 8 decimals
      samples.push(v, rnd() * 360 - 180, Math.round(v * 1e6) / 1e6 + Number.EPSILON * 64);
    }
    const all = written((w) => samples.forEach((x, i) => (i && w.char(0x2c), w.number(x))));
    assert.equal(all, samples.map((x) => JSON.stringify(x)).join(','));
  });

  it('should write integers and strings as JSON.stringify does', () => {
    const ints = [0, 7, -7, 10, 99, 100, 123456789, -(2 ** 53) + 1, 2 ** 53 - 1, 2 ** 60, 1.5];
    assert.equal(written((w) => ints.forEach((n, i) => (i && w.char(0x2c), w.int(n)))), ints.map((n) => JSON.stringify(n)).join(','));
    const strings = ['', 'Plain name 12', 'Quote " back \\ slash', 'Tab\tnew\nline\u0001', 'Ümlaut Straße 東京 🚗', 'lone \ud800 surrogate', '\u007f del', 'x'.repeat(5000)];
    for (const s of strings) assert.equal(written((w) => w.string(s)), JSON.stringify(s), s.slice(0, 40));
    assert.equal(written((w) => (w.raw(ascii('{"a":')), w.asciiText('2026-01-01T00:00:00+00:00'), w.char(0x7d))), '{"a":2026-01-01T00:00:00+00:00}');
  });

  it('should write the bytes JSON.stringify makes of any string, accented, escaped, surrogates paired or lone', () => {
    const bytes = (write: (w: JsonBytes) => void): Buffer => {
      const w = new JsonBytes(16);
      write(w);
      return w.take();
    };
    const cases = ['Düsseldorf Königsallee', 'Hôtel de Ville, Montréal', 'Łódź ul. Piotrkowska 104', '東京駅 8', 'é', 'ß'.repeat(4000), 'accent é and "quote"', 'accent é\nnew line',
      '\udc00 low alone', 'high at the end \ud83d', '🚗\udc00 pair then lone', 'line \u2028 separator', '\u007f', 'x'.repeat(14) + 'é'];
    for (const s of cases) assert.deepEqual(bytes((w) => w.string(s)), Buffer.from(JSON.stringify(s), 'utf8'), JSON.stringify(s.slice(0, 40)));
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'binary', maxLength: 60 }), { maxLength: 8 }), (strings) => {
        const got = bytes((w) => strings.forEach((s, i) => (i && w.char(0x2c), w.string(s))));
        assert.deepEqual(got, Buffer.from(strings.map((s) => JSON.stringify(s)).join(','), 'utf8'));
      }),
      { numRuns: 3000, seed: 7 },
    );
  });

  it('should write text given as UTF-8 bytes as string writes the text they hold, escapes included', () => {
    const cases = ['', 'Plain name 12', 'Quote " back \\ slash', 'Tab\tnew\nline\u0001', 'Düsseldorf Königsallee', '東京駅 8 🚗', '\u007f', 'x'.repeat(5000)];
    fc.assert(
      fc.property(fc.oneof(fc.constantFrom(...cases), fc.string({ unit: 'binary', maxLength: 60 })), fc.nat(5), fc.nat(5), (s, before, after) => {
        // Inside a larger array, between bytes that would need escaping, as the surface index's names are.
        const text = Buffer.from(s, 'utf8');
        const bytes = Buffer.concat([Buffer.alloc(before, 0x22), text, Buffer.alloc(after, 0x5c)]);
        const got = written((w) => w.utf8(bytes, before, before + text.length));
        assert.equal(got, JSON.stringify(text.toString('utf8')));
      }),
      { numRuns: 3000, seed: 11 },
    );
  });
});
