/**
 * Partners and keys end to end: a real hub process and the real CLI on the same SQLite file
 * (shared/cli.md, "Partners and keys"; shared/protocol.md, "Partners and keys").
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startHubProcess, type HubProcess } from '../support/hub-process.js';
import { oioi } from '../support/cli.js';
import { send } from '../support/http.js';
import { testEngines } from '../support/engines.js';

const minimumVersion = { 'api-minimum-version-number': {} };

/** Polls until `check` passes or `ms` elapse; returns the elapsed time. */
async function within(ms: number, check: () => Promise<boolean>): Promise<number> {
  const t0 = Date.now();
  while (Date.now() - t0 < ms) {
    if (await check()) return Date.now() - t0;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`condition not met within ${ms} ms`);
}

for (const engine of testEngines()) describe(`hub partners and keys (${engine})`, () => {
  let hub: HubProcess;
  before(async () => { hub = await startHubProcess({ engine }); });
  after(async () => { await hub.stop(); await hub.cleanup(); });

  it('should print one JSON object with the key shown once, and keep only a hash of it', async () => {
    const p = await hub.addPartner({ name: 'Stadtwerke', roles: 'cpo,emp', endpoint: 'http://127.0.0.1:9/api', endpointKey: 'their-secret' });
    assert.equal(typeof p.id, 'number');
    assert.deepEqual(p.roles, ['cpo', 'emp']);
    assert.ok(p.partnerIdentifier.length >= 32);
    assert.match(p.apiKey, /^oioi_/);
    const listed = await oioi(['partner', 'list', '--db', hub.db, '--json']);
    assert.equal(listed.code, 0);
    assert.ok(!listed.stdout.includes(p.apiKey), 'partner list must not show the API key');
    assert.ok(!listed.stdout.includes('their-secret'), 'partner list must not show the endpoint key');
    const row = JSON.parse(listed.stdout).find((x: any) => x.id === p.id);
    assert.equal(row.name, 'Stadtwerke');
  });

  it('should accept a partner added while the hub runs within one second, without a restart', async () => {
    const p = await hub.addPartner({ name: 'Late OEM', roles: 'oem' });
    const ms = await within(1000, async () => (await send(hub.url, p.apiKey, minimumVersion)).status === 200);
    assert.ok(ms <= 1000);
    const r = await send(hub.url, p.apiKey, minimumVersion);
    assert.equal(r.body.result.code, 0);
  });

  it('should refuse a revoked key within one second, and keep the partner\'s other keys working', async () => {
    const p = await hub.addPartner({ name: 'Revoking EMP', roles: 'emp' });
    const second = await oioi(['key', 'add', '--db', hub.db, '--partner', String(p.id), '--json']);
    assert.equal(second.code, 0, second.stderr);
    const key2 = JSON.parse(second.stdout).apiKey as string;
    await within(1000, async () => (await send(hub.url, key2, minimumVersion)).status === 200);
    const revoked = await oioi(['key', 'revoke', '--db', hub.db, '--key', p.apiKey]);
    assert.equal(revoked.code, 0, revoked.stderr);
    await within(1000, async () => (await send(hub.url, p.apiKey, minimumVersion)).status === 401);
    const r = await send(hub.url, p.apiKey, minimumVersion);
    assert.equal(r.body.result.code, 210);
    assert.equal((await send(hub.url, key2, minimumVersion)).status, 200);
  });

  it('should answer 401 with code 210 for a missing, malformed or unknown key', async () => {
    for (const key of [undefined, 'nonsense', 'oioi_AAAAAAAAAAAAAAAA_' + 'A'.repeat(43)]) {
      const r = await send(hub.url, key, minimumVersion);
      assert.equal(r.status, 401, String(key));
      assert.equal(r.body.result.code, 210);
    }
  });

  it('should refuse bad partner input with exit code 2 and change nothing', async () => {
    const before = JSON.parse((await oioi(['partner', 'list', '--db', hub.db, '--json'])).stdout).length;
    for (const args of [
      ['--name', 'X', '--roles', 'pilot'],
      ['--name', 'X', '--roles', 'cpo', '--rfid-auth', 'sometimes'],
      ['--name', 'X', '--roles', 'emp', '--evco-prefix', 'D'],
      ['--name', 'X', '--roles', 'cpo', '--endpoint', 'not a url'],
      ['--roles', 'cpo'],
    ]) {
      const r = await oioi(['partner', 'add', '--db', hub.db, ...args]);
      assert.equal(r.code, 2, args.join(' '));
      assert.ok(r.stderr.length > 0);
    }
    const afterCount = JSON.parse((await oioi(['partner', 'list', '--db', hub.db, '--json'])).stdout).length;
    assert.equal(afterCount, before);
  });

  it('should update a partner\'s endpoint and modes, refuse bad input with exit 2 and an unknown id with exit 1, changing nothing', async () => {
    const p = await hub.addPartner({ name: 'Editable', roles: 'cpo,emp', endpoint: 'http://127.0.0.1:9/api', endpointKey: 'old-secret' });
    const list = async () => JSON.parse((await oioi(['partner', 'list', '--db', hub.db, '--json'])).stdout).find((x: any) => x.id === p.id);
    const before = await list();
    for (const args of [['--rfid-auth', 'sometimes'], ['--endpoint', 'ftp://x'], ['--evco-prefix', 'D'], ['--name', ' '], ['--endpoint', 'none', '--endpoint-key', 'k'], ['--id', 'x']]) {
      const r = await oioi(['partner', 'update', '--db', hub.db, '--id', String(p.id), ...args]);
      assert.equal(r.code, 2, args.join(' '));
      assert.ok(r.stderr.length > 0);
    }
    assert.deepEqual(await list(), before);
    assert.equal((await oioi(['partner', 'update', '--db', hub.db, '--id', '99999', '--name', 'Nobody'])).code, 1);
    const r = await oioi(['partner', 'update', '--db', hub.db, '--id', String(p.id), '--endpoint', 'https://cpo.example/oioi', '--rfid-auth', 'online', '--evco-prefix', 'de-8ps', '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(!r.stdout.includes('old-secret'));
    const updated = await list();
    assert.equal(updated.endpoint, 'https://cpo.example/oioi');
    assert.equal(updated.rfidAuth, 'online');
    assert.deepEqual(updated.evcoPrefixes, ['DE8PS']);
    assert.equal(updated.name, 'Editable');
    assert.equal((await oioi(['partner', 'update', '--db', hub.db, '--id', String(p.id), '--endpoint', 'none'])).code, 0);
    assert.equal((await list()).endpoint, null);
  });

  it('should answer api-minimum-version-number to any role', async () => {
    const fleet = await hub.addPartner({ name: 'Fleet', roles: 'fleet' });
    await within(1000, async () => (await send(hub.url, fleet.apiKey, minimumVersion)).status === 200);
    const r = await send(hub.url, fleet.apiKey, minimumVersion);
    assert.equal(r.body.result.code, 0);
    assert.equal(r.body['api-minimum-version-number']['minimum-version'], '4.0.0');
  });
});
