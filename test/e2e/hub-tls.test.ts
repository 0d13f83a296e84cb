/**
 * HTTPS end to end: a CA and a hub certificate made with openssl at test time, a real
 * `oioi hub --tls-cert --tls-key` process, and our client and `oioi send --ca` talking to it; a
 * client that does not trust the CA is refused.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import tls from 'node:tls';
import { startHubProcess, type HubProcess, type TestPartner } from '../support/hub-process.js';
import { oioi, tempDir } from '../support/cli.js';
import { isOioiClientError, OioiClient } from '../../src/transport/client/index.js';

/** A CA and a certificate for 127.0.0.1/localhost signed by it (P-256 keys: quick to make). */
function makeCertificates(dir: string): { ca: string; cert: string; key: string } {
  const f = (name: string) => join(dir, name);
  const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  ssl('req', '-x509', ...ec, '-keyout', f('ca.key'), '-out', f('ca.pem'), '-days', '2', '-subj', '/CN=oioi test CA');
  ssl('req', ...ec, '-keyout', f('hub.key'), '-out', f('hub.csr'), '-subj', '/CN=127.0.0.1');
  writeFileSync(f('ext.cnf'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  ssl('x509', '-req', '-in', f('hub.csr'), '-CA', f('ca.pem'), '-CAkey', f('ca.key'), '-CAcreateserial', '-out', f('hub.pem'), '-days', '2', '-extfile', f('ext.cnf'));
  return { ca: f('ca.pem'), cert: f('hub.pem'), key: f('hub.key') };
}

describe('hub over TLS', () => {
  const tmp = tempDir('oioi-tls-');
  let files: { ca: string; cert: string; key: string };
  let hub: HubProcess;
  let cpo: TestPartner;
  const minimumVersion = { 'api-minimum-version-number': {} };

  before(async () => {
    files = makeCertificates(tmp.dir);
    hub = await startHubProcess({ args: ['--tls-cert', files.cert, '--tls-key', files.key, '--headers-timeout', '1500'] });
    cpo = await hub.addPartner({ name: 'CPO', roles: 'cpo' });
    // The hub learns partners added by the CLI within a second; ask over TLS until it knows this one.
    const client = new OioiClient({ url: hub.url, apiKey: cpo.apiKey, ca: readFileSync(files.ca), retry: false });
    try {
      for (let i = 0; (await client.send('api-minimum-version-number', {}, { validate: false })).result.code !== 0; i++) {
        if (i > 100) throw new Error('the hub did not learn the partner');
        await new Promise((r) => setTimeout(r, 50));
      }
    } finally {
      client.close();
    }
  });
  after(async () => {
    await hub.stop();
    await hub.cleanup();
    tmp.remove();
  });

  it('should print an https URL and answer our client when it trusts the CA', async () => {
    assert.match(hub.url, /^https:\/\/127\.0\.0\.1:\d+\/api\/v4\/request$/);
    const client = new OioiClient({ url: hub.url, apiKey: cpo.apiKey, ca: readFileSync(files.ca) });
    try {
      const r = await client.send('api-minimum-version-number', {});
      assert.equal(r.result.code, 0);
      const status = await client.send('connector-post-status', { 'connector-id': 'DE*8PS*E1', status: 'Available', 'partner-identifier': cpo.partnerIdentifier });
      assert.equal(status.result.code, 181, 'a coded business answer over TLS');
    } finally {
      client.close();
    }
  });

  it('should refuse the connection of a client that does not trust the CA', async () => {
    const client = new OioiClient({ url: hub.url, apiKey: cpo.apiKey, retry: false });
    try {
      await assert.rejects(client.send('api-minimum-version-number', {}), (err) => isOioiClientError(err) && err.kind === 'network' && /certificate|self.signed|issuer/i.test(err.message));
    } finally {
      client.close();
    }
  });

  it('should send with `oioi send --ca FILE`, and fail with exit code 2 without it', async () => {
    const message = JSON.stringify(minimumVersion);
    const ok = await oioi(['send', '--url', hub.url, '--key', cpo.apiKey, '--ca', files.ca, '-'], { input: message });
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(JSON.parse(ok.stdout).result.code, 0);
    const refused = await oioi(['send', '--url', hub.url, '--key', cpo.apiKey, '-'], { input: message });
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /certificate|self.signed|issuer/i);
    const missing = await oioi(['send', '--url', hub.url, '--key', cpo.apiKey, '--ca', join(tmp.dir, 'nope.pem'), '-'], { input: message });
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /cannot read the CA file/);
  });

  it('should close a TLS connection that completes the handshake and then sends nothing', async () => {
    const { port } = new URL(hub.url);
    // The hub's clock starts when its side of the handshake completes, so the time is taken from
    // the client's secureConnect: on a loaded machine the handshake itself can take seconds.
    const ms = await new Promise<number>((resolve, reject) => {
      const t0 = Date.now();
      let secured = -1;
      const socket = tls.connect({ host: '127.0.0.1', port: Number(port), ca: readFileSync(files.ca) });
      socket.on('secureConnect', () => (secured = Date.now()));
      socket.on('error', () => undefined);
      socket.on('close', () => (secured < 0 ? reject(new Error(`closed before the handshake completed, after ${Date.now() - t0} ms`)) : resolve(Date.now() - secured)));
      setTimeout(() => {
        socket.destroy();
        reject(new Error(`the idle TLS connection was kept open (handshake ${secured < 0 ? 'not completed' : `completed after ${secured - t0} ms`})`));
      }, 20_000).unref();
    });
    assert.ok(ms >= 1400 && ms <= 1500 + 5000, `closed ${ms} ms after the handshake`);
  });

  it('should refuse --tls-cert without --tls-key as a usage error', async () => {
    const r = await oioi(['hub', '--db', `sqlite:${join(tmp.dir, 'x.db')}`, '--port', '0', '--tls-cert', files.cert]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--tls-cert and --tls-key go together/);
  });
});
