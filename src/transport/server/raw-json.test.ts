/** handlerBody with RawJson values: text or bytes written as they are, in the answer's key order. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { handlerBody } from './respond.js';
import { RawJson } from './raw-json.js';

describe('handlerBody with RawJson', () => {
  it('should write RawJson text and bytes as they are, between the other keys', () => {
    const text = handlerBody({ hasMore: false, stations: new RawJson('[{"id":1}]'), n: 2 });
    assert.equal(text.body, '{"result":{"code":0,"message":"Success."},"hasMore":false,"stations":[{"id":1}],"n":2}');
    const bytes = handlerBody({ hasMore: true, stations: new RawJson(Buffer.from('[{"name":"Ümlaut"}]')), more: new RawJson(Buffer.from('{}')), n: 'x' });
    assert.ok(Buffer.isBuffer(bytes.body));
    assert.equal(bytes.body.toString('utf8'), '{"result":{"code":0,"message":"Success."},"hasMore":true,"stations":[{"name":"Ümlaut"}],"more":{},"n":"x"}');
    assert.equal(bytes.code, 0);
  });
});
