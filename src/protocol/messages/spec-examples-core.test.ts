/**
 * Every request and response example of the core call pages (station, session, rfid, reservation,
 * tariff, company, api) goes through the readers. An example that needs a lenient reading lists it
 * as a quirk, and must fail the strict schema on its own: quirks get in through the lenient
 * readers and nowhere else. Examples that break the protocol in ways no lenient reading covers are
 * listed as deviations and must be rejected.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { callDefinition, type CallName } from '../parse.js';
import { fixtures, load, read, strict } from './test-support/spec-fixtures.js';
import { OioiError } from '../errors.js';

const coreCalls = [
  'station-post', 'station-get-surface', 'station-get-by-ids', 'station-get-usage',
  'session-post', 'session-start', 'session-stop',
  'rfid-verify', 'rfid-post',
  'reservation-start', 'reservation-stop',
  'tariffs-get-by-station-ids', 'company-get-images', 'api-minimum-version-number',
] as const;

type Check = (parsed: any) => void;
interface Quirk { why: string; check: Check }

/** Examples that pass only through a lenient reading; `check` proves the reading was applied. */
const quirks: Record<string, Quirk[]> = {
  // These three examples answer their payload without "result": read as code 0 (parse.ts).
  'station-get-usage/response.json': [{ why: 'payload without "result" read as success', check: (r) => assert.equal(r.result.code, 0) }],
  'api-minimum-version-number/response.json': [{ why: 'payload without "result" read as success', check: (r) => assert.equal(r.result.code, 0) }],
  // Transcribed with its JSON syntax repaired (see test/fixtures/spec/README.md).
  'tariffs-get-by-station-ids/response.json': [{ why: 'payload without "result" read as success', check: (r) => assert.equal(r.result.code, 0) }],
  'rfid-post/request.json': [{
    why: 'lower-case UID "abcdefab"',
    check: (p) => assert.deepEqual(p.rfids, ['12345678', 'ABCDEFAB']),
  }],
  'station-get-by-ids/response.json': [
    {
      why: 'open-hour-notes times given as ["24h"] and "[24h]"',
      check: (r) => {
        for (const s of r.stations) {
          if (s['is-open-24']) assert.deepEqual(s['open-hour-notes'][0].times, ['00:00', '24:00']);
        }
      },
    },
    {
      why: 'streetNumber for street-number (stations and companies)',
      check: (r) => {
        assert.equal(r.stations[0].address['street-number'], '2');
        assert.equal('streetNumber' in r.stations[0].address, false);
        assert.equal(r.companies[5].address['street-number'], '12-15');
      },
    },
  ],
};

/**
 * Examples that break the protocol in a way no lenient reading covers: they are rejected, with
 * the given message, and reported rather than accepted by loosening a rule.
 */
const deviations: Record<string, { why: string; error: string }> = {};

describe('spec examples of the core calls', () => {
  for (const call of coreCalls) {
    describe(call, () => {
      it('should have at least one request and one response example', () => {
        const files = fixtures(call);
        assert.ok(files.some((f) => f.startsWith('request')), 'no request example');
        assert.ok(files.some((f) => f.startsWith('response')), 'no response example');
      });

      for (const file of fixtures(call)) {
        const key = `${call}/${file}`;
        const deviation = deviations[key];
        if (deviation) {
          it(`should reject ${file} (${deviation.why}), a deviation not covered by lenient reading`, () => {
            const body = load(call, file);
            assert.throws(() => read(call, file, body), (e: unknown) => e instanceof OioiError && e.code === 230 && e.message === deviation.error);
            // With the missing result supplied, the rest of the example is valid.
            const fixed = { ...body, result: { code: 0, message: 'Success.' } };
            assert.doesNotThrow(() => read(call, file, fixed));
          });
          continue;
        }
        const found = quirks[key] ?? [];
        it(`should accept ${file}${found.length ? ` through lenient reading (${found.map((q) => q.why).join('; ')})` : ''}`, () => {
          const body = load(call, file);
          const parsed = read(call, file, body);
          for (const q of found) q.check(parsed);
          if (found.length > 0) assert.throws(() => strict(call, file, load(call, file)), (e: unknown) => e instanceof OioiError && e.code === 230);
          else assert.doesNotThrow(() => strict(call, file, load(call, file)));
        });
      }
    });
  }

  it('should list only quirks and deviations of fixtures that exist', () => {
    for (const key of [...Object.keys(quirks), ...Object.keys(deviations)]) {
      const [call, file] = key.split('/') as [string, string];
      assert.ok(fixtures(call).includes(file), key);
    }
  });
});
