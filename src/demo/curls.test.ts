import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { curlLine, reachableUrl } from './curls.js';

describe('demo curl lines', () => {
  it('should quote the URL, key and JSON body for a POSIX shell', () => {
    const line = curlLine({ title: 't', url: 'http://127.0.0.1:8080/api/v4/request', apiKey: 'oioi_a_b', body: { 'api-minimum-version-number': {} } });
    assert.equal(line, `curl -sS -w '\\n' -X POST 'http://127.0.0.1:8080/api/v4/request' -H 'Authorization: key=oioi_a_b' -H 'Content-Type: application/json' -d '{"api-minimum-version-number":{}}'`);
  });

  it('should refuse a body it cannot put in single quotes', () => {
    assert.throws(() => curlLine({ title: 't', url: 'http://h/', apiKey: 'k', body: { x: "it's" } }));
  });

  it('should print loopback for a hub bound to every interface', () => {
    assert.equal(reachableUrl('http://0.0.0.0:8080/api/v4/request'), 'http://127.0.0.1:8080/api/v4/request');
    assert.equal(reachableUrl('http://[::]:8080/api/v4/request'), 'http://[::1]:8080/api/v4/request');
    assert.equal(reachableUrl('http://127.0.0.1:9/x'), 'http://127.0.0.1:9/x');
  });
});
