/**
 * Every request and response example of the user-*, adyen-*, fleet-* and vehicle-* pages goes
 * through the readers. An example that needs a lenient reading lists it as a quirk, and must fail
 * the strict schema on its own: quirks get in through the lenient readers and nowhere else.
 * Examples that no lenient reading can rescue (placeholders where an identifier belongs) are
 * listed as deviations and must be rejected with the given message.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseResponse, type CallName } from '../parse.js';
import { fixtures, load, loadText, read, strict } from './test-support/spec-fixtures.js';
import { OioiError } from '../errors.js';

const oemCalls = [
  'user-register', 'user-verify', 'user-reset', 'user-logout', 'user-change-password', 'user-get-details', 'user-post-details',
  'user-add-rfid', 'user-block-rfid', 'user-unblock-rfid',
  'user-charging-key-activate', 'user-charging-key-deactivate', 'user-get-charging-keys',
  'user-add-payment', 'user-add-creditcard', 'user-get-payment-methods', 'user-get-bills', 'adyen-setup', 'adyen-verify',
  'user-manage-subscription', 'user-subscription-get-active', 'user-subscription-plans-get',
  'user-get-recent-sessions', 'user-get-recent-stations',
  'fleet-post-cards', 'fleet-post-members', 'vehicle-get-all',
] as const;

type Check = (parsed: any) => void;
interface Quirk { why: string; check: Check }

/** Examples that pass only through a lenient reading; `check` proves the reading was applied. */
const quirks: Record<string, Quirk[]> = {
  'user-get-details/response.json': [{
    why: 'country written as a name ("Germany") where the field list asks for ISO 3166-1 alpha-2',
    check: (r) => {
      assert.equal(r.user.address.country, 'DE');
      assert.equal(r.user['billing-address'].country, 'DE');
    },
  }],
  'user-post-details/request.json': [{
    why: '"details" beside "user" where the field list nests it inside "user"',
    check: (p) => {
      assert.equal(p.user.details['first-name'], 'Firstname');
      assert.equal('details' in p, false);
    },
  }],
  'user-unblock-rfid/response.json': [{
    why: 'answer without "result", read from "success": true',
    check: (r) => assert.equal(r.result.code, 0),
  }],
  'user-get-payment-methods/response.json': [{
    why: 'expiry "3/2021" where the field list asks for MM/YYYY',
    check: (r) => assert.equal(r.user['payment-methods'][0].valid, '03/2021'),
  }],
  // Transcribed with its JSON syntax repaired (response.raw.txt holds the page's text).
  'user-subscription-get-active/response.json': [{
    why: 'the one active subscription wrapped in an array where the field list says object',
    check: (r) => {
      assert.equal(Array.isArray(r.subscription), false);
      assert.equal(r.subscription['subscription-plan']['localized-descriptions'].de, 'Beschreibung');
    },
  }],
  'user-get-recent-stations/response.json': [{
    why: 'stations nested in a second array where the field list says array of objects',
    check: (r) => assert.deepEqual(r.user.stations.map((s: any) => s.id), [1247, 1248]),
  }],
  'fleet-post-cards/request.json': [
    {
      why: 'integer fm-card-uid and fleet-member-uid (strings since "Allow UUIDs for Fleet fields")',
      check: (p) => assert.deepEqual(p['fleet-cards'].map((c: any) => [c['fm-card-uid'], c['fleet-member-uid']]), [['23', '35'], ['25', '31']]),
    },
    {
      why: '"requested-date" for "request-date"',
      check: (p) => {
        for (const c of p['fleet-cards']) {
          assert.equal(c['request-date'], '2018-01-01T10:00:00+00:00');
          assert.equal('requested-date' in c, false);
        }
      },
    },
    {
      why: 'issuer "DE*8PS" where the field list asks for the 5-character code',
      check: (p) => assert.equal(p['fleet-cards'][1].issuer, 'DE8PS'),
    },
  ],
  'fleet-post-members/request.json': [{
    why: 'integer fleet-member-uid and fm-evse-uid (strings since "Allow UUIDs for Fleet fields")',
    check: (p) => {
      assert.equal(p.members[0]['fleet-member-uid'], '1234');
      assert.equal(p.members[0].evses[0]['fm-evse-uid'], '12345');
    },
  }],
};

/** Examples that pass as written but whose reading is worth pinning down. */
const readings: Record<string, Check> = {
  // The refusal's reason sits in a "user-post-details" object; it is also read as `reason`.
  'user-post-details/response-2.json': (r) => assert.equal(r.reason, 'Could not validate VAT number: DE1234567'),
  // Leaves out partner-identifier although the field list has it: optional, the key names the fleet.
  'fleet-post-members/request.json': (p) => assert.equal(p['partner-identifier'], undefined),
};

/**
 * Examples that break the protocol in a way no lenient reading covers: rejected with `error`,
 * and accepted once `fix` puts a well-formed value where the page has a placeholder.
 */
const deviations: Record<string, { why: string; error: string; fix: (body: any) => void }> = {
  'user-charging-key-activate/request.json': {
    why: 'placeholder "yourevcoid" for the EVCO ID',
    error: 'user-charging-key-activate.evco-id: not a valid EVCO ID',
    fix: (b) => { b['user-charging-key-activate']['evco-id'] = 'DE*8PS*123456*7'; },
  },
  'user-charging-key-deactivate/request.json': {
    why: 'placeholder "yourevcoid" for the EVCO ID',
    error: 'user-charging-key-deactivate.evco-id: not a valid EVCO ID',
    fix: (b) => { b['user-charging-key-deactivate']['evco-id'] = 'DE*8PS*123456*7'; },
  },
  'user-get-charging-keys/response.json': {
    why: 'EVCO IDs "DE*8PS*C12345" lack the check character the glossary requires',
    error: 'user-get-charging-keys response.user.charging-keys[0].evco-id: not a valid EVCO ID',
    fix: (b) => { for (const k of b.user['charging-keys']) k['evco-id'] += '*0'; },
  },
};

const is230 = (message?: string) => (e: unknown) => e instanceof OioiError && e.code === 230 && (message === undefined || e.message === message);

describe('spec examples of the user, payment, fleet and vehicle calls', () => {
  for (const call of oemCalls) {
    describe(call, () => {
      it('should have at least one request and one response example', () => {
        const files = fixtures(call);
        assert.ok(files.some((f) => f.startsWith('request')), 'no request example');
        assert.ok(files.some((f) => f.startsWith('response')), 'no response example');
      });

      it('should name the call as the request example does', () => {
        assert.deepEqual(Object.keys(load(call, 'request.json')), [call]);
      });

      for (const file of fixtures(call)) {
        const key = `${call}/${file}`;
        const deviation = deviations[key];
        if (deviation) {
          it(`should reject ${file} (${deviation.why}), a deviation not covered by lenient reading`, () => {
            assert.throws(() => read(call, file, load(call, file)), is230(deviation.error));
            const fixed = load(call, file);
            deviation.fix(fixed);
            assert.doesNotThrow(() => read(call, file, fixed));
          });
          continue;
        }
        const found = quirks[key] ?? [];
        it(`should accept ${file}${found.length ? ` through lenient reading (${found.map((q) => q.why).join('; ')})` : ''}`, () => {
          const parsed = read(call, file, load(call, file));
          for (const q of found) q.check(parsed);
          readings[key]?.(parsed);
          if (found.length > 0) assert.throws(() => strict(call, file, load(call, file)), is230());
          else assert.doesNotThrow(() => strict(call, file, load(call, file)));
        });
      }
    });
  }

  it('should reject the user-subscription-get-active response as the page prints it (not JSON)', () => {
    const text = loadText('user-subscription-get-active', 'response.raw.txt');
    assert.throws(() => parseResponse('user-subscription-get-active', text), is230('body is not valid JSON'));
  });

  it('should list only quirks, readings and deviations of fixtures that exist', () => {
    for (const key of [...Object.keys(quirks), ...Object.keys(readings), ...Object.keys(deviations)]) {
      const [call, file] = key.split('/') as [string, string];
      assert.ok(fixtures(call).includes(file), key);
    }
  });
});
