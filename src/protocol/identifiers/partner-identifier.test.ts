import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { generatePartnerIdentifier, isPartnerIdentifier } from './partner-identifier.js';

describe('generatePartnerIdentifier', () => {
  it('should give 32 URL-safe characters', () => {
    for (let i = 0; i < 100; i++) assert.match(generatePartnerIdentifier(), /^[A-Za-z0-9_-]{32}$/);
  });

  it('should never begin with a dash, which a command line would read as an option', () => {
    // base64url begins with '-' once in 64 draws: 5,000 draws miss it by chance with p < 1e-34.
    for (let i = 0; i < 5000; i++) assert.notEqual(generatePartnerIdentifier()[0], '-');
  });

  it('should not repeat itself', () => {
    const seen = new Set(Array.from({ length: 1000 }, generatePartnerIdentifier));
    assert.equal(seen.size, 1000);
  });

  it('should give identifiers isPartnerIdentifier accepts', () => {
    assert.equal(isPartnerIdentifier(generatePartnerIdentifier()), true);
  });
});

describe('isPartnerIdentifier', () => {
  const cases: Array<[string, boolean, string]> = [
    ['123456-123456-abcdef-abc123-456def', true, 'rfid_post.rst, session_post.rst, connector_post_status.rst example'],
    ['x9iujs7y5kslISuqw', true, 'fleet_post_cards.rst example, 17 characters'],
    ['0123456789abcdef', true, '16 characters: the glossary minimum'],
    ['0123456789abcde', false, '15 characters: too short'],
    ['1', false, 'station_post.rst example: the wire schema takes it, this predicate does not'],
    ['0123456789 abcdef', false, 'space inside'],
    ['0123456789abcdef\n', false, 'control character'],
    ['', false, 'empty'],
  ];
  for (const [value, expected, why] of cases) {
    it(`should ${expected ? 'accept' : 'reject'} ${JSON.stringify(value)} (${why})`, () => {
      assert.equal(isPartnerIdentifier(value), expected);
    });
  }
});
