import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { envName, readFlags } from './flags.js';

const spec = { port: { type: 'string' as const, default: '8080' }, json: { type: 'boolean' as const, default: false }, 'upstream-timeout': { type: 'string' as const } };

describe('cli flags', () => {
  it('should name the environment variable beside a flag', () => {
    assert.equal(envName('upstream-timeout'), 'OIOI_UPSTREAM_TIMEOUT');
  });

  it('should take a flag first, then the environment, then the default', () => {
    assert.equal(readFlags(['--port', '1'], spec, { OIOI_PORT: '2' }).values.port, '1');
    assert.equal(readFlags([], spec, { OIOI_PORT: '2' }).values.port, '2');
    assert.equal(readFlags([], spec, {}).values.port, '8080');
    assert.equal(readFlags([], spec, { OIOI_UPSTREAM_TIMEOUT: '500' }).values['upstream-timeout'], '500');
  });

  it('should read booleans from the environment', () => {
    assert.equal(readFlags([], spec, { OIOI_JSON: '1' }).values.json, true);
    assert.equal(readFlags([], spec, { OIOI_JSON: 'false' }).values.json, false);
    assert.equal(readFlags(['--json'], spec, { OIOI_JSON: 'no' }).values.json, true);
  });

  it('should refuse an unknown flag', () => {
    assert.throws(() => readFlags(['--nope'], spec, {}), /nope/);
  });
});
