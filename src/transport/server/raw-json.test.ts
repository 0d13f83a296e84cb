/** handlerBody with RawJson values: text or bytes written as they are, in the answer's key order. */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { bodyText, handlerBody, writeJson } from './respond.js';
import { RawJson } from './raw-json.js';

describe('handlerBody with RawJson', () => {
  it('should write RawJson text and bytes as they are, between the other keys', () => {
    const text = handlerBody({ hasMore: false, stations: new RawJson('[{"id":1}]'), n: 2 });
    assert.equal(text.body, '{"result":{"code":0,"message":"Success."},"hasMore":false,"stations":[{"id":1}],"n":2}');
    const bytes = handlerBody({ hasMore: true, stations: new RawJson(Buffer.from('[{"name":"Ümlaut"}]')), more: new RawJson(Buffer.from('{}')), n: 'x' });
    assert.equal(bodyText(bytes.body), '{"result":{"code":0,"message":"Success."},"hasMore":true,"stations":[{"name":"Ümlaut"}],"more":{},"n":"x"}');
    assert.equal(bytes.code, 0);
  });

  it('should hand RawJson bytes on as they are, not copied into a joined body', () => {
    const stations = Buffer.from('[{"id":1}]');
    const out = handlerBody({ hasMore: false, stations: new RawJson(stations) });
    assert.ok(Array.isArray(out.body), 'pieces');
    assert.ok((out.body as ReadonlyArray<unknown>).includes(stations), 'the very bytes the handler made');
  });
});

describe('writeJson with a body in pieces', () => {
  it('should send the pieces as one body with its byte length, multi-byte characters included', async () => {
    const stations = Buffer.from(`[${Array.from({ length: 300 }, (_, i) => `{"id":${i},"name":"Ladesäule ${i}"}`).join(',')}]`);
    const out = handlerBody({ hasMore: true, stations: new RawJson(stations), note: 'Größe' });
    const server = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => writeJson(res, 200, out.body, 'req-1'));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const { port } = server.address() as AddressInfo;
      const res = await fetch(`http://127.0.0.1:${port}/`, { method: 'POST', body: '{}' });
      const bytes = Buffer.from(await res.arrayBuffer());
      assert.equal(Number(res.headers.get('content-length')), bytes.length);
      assert.equal(res.headers.get('x-request-id'), 'req-1');
      const body = JSON.parse(bytes.toString('utf8'));
      assert.equal(body.stations.length, 300);
      assert.equal(body.stations[299].name, 'Ladesäule 299');
      assert.equal(body.note, 'Größe');
      assert.equal(bytes.toString('utf8'), bodyText(out.body));
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});
